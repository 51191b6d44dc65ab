# Source me:  . scripts/setup.sh
# Puts Node >= 22.13 on PATH (installing the npm registry's node@22 when the system
# Node is older: MCP Firewall needs node:sqlite) and installs the project's packages.
# Written for sourcing, so it never calls `exit` or `set -e` in your shell.

_mcpfw_node_ok() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 13) ? 0 : 1)' 2>/dev/null
}

# npm finds its global config (registry, `cafile` for a TLS-inspecting proxy) next to
# the node that runs it; keep the machine's one when we switch to another node.
_mcpfw_globalconfig="$(npm config get globalconfig 2>/dev/null)"

if ! _mcpfw_node_ok; then
  _mcpfw_prefix="${MCP_FIREWALL_NODE_PREFIX:-/opt/node22}"
  if ! mkdir -p "$_mcpfw_prefix" 2>/dev/null || [ ! -w "$_mcpfw_prefix" ]; then
    _mcpfw_prefix="$HOME/.local/share/mcp-firewall/node22"
  fi
  if [ ! -x "$_mcpfw_prefix/node_modules/.bin/node" ]; then
    echo "setup: installing Node 22 into $_mcpfw_prefix (npm package node@22)"
    npm install --prefix "$_mcpfw_prefix" --no-audit --no-fund node@22 >/dev/null
  fi
  export PATH="$_mcpfw_prefix/node_modules/.bin:$PATH"
  if [ -n "$_mcpfw_globalconfig" ] && [ -f "$_mcpfw_globalconfig" ] && [ -z "${npm_config_globalconfig:-}" ]; then
    export npm_config_globalconfig="$_mcpfw_globalconfig"
  fi
fi
if _mcpfw_node_ok; then
  echo "setup: using node $(node --version) from $(command -v node)"
  # Electron's binary comes from outside the npm registry; the engine and tests do not need
  # it, and `npm start` fetches it when the desktop app is first started (scripts/ensure-electron.mjs).
  export ELECTRON_SKIP_BINARY_DOWNLOAD=1
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
else
  echo "setup: could not get Node >= 22.13 on PATH" >&2
fi
