// Which MCP client launched us, when its config did not say (`--client`). Only hints
// the clients set in their children's environment; without one, the client's own name
// names it later: initialize's clientInfo.name, or in MCP 2026-07-28 (no initialize) the
// `io.modelcontextprotocol/clientInfo` of the first request's envelope.
const ENV_HINTS: Array<[variable: string, client: string]> = [
  ['CLAUDECODE', 'claude-code'],
  ['CURSOR_TRACE_ID', 'cursor'],
  ['WINDSURF_EXTENSION_ID', 'windsurf'],
  ['ZED_TERM', 'zed'],
  ['GEMINI_CLI', 'gemini-cli'],
  ['CODEX_SANDBOX', 'codex'],
];

export function detectClientFromEnv(env: NodeJS.ProcessEnv): string | null {
  for (const [variable, client] of ENV_HINTS) if (env[variable]) return client;
  if (env.TERM_PROGRAM === 'vscode') return 'vscode';
  return null;
}

// The clientInfo names the known clients send, whole. Not by substring: a policy on
// `mcp.client: "ci-*"` must see `ci-claude-runner` or `ci-dockerized-agent` as themselves,
// not as claude-desktop or zed (neither more trusted, nor missed by a DENY on `ci-*`).
const KNOWN_NAMES = new Map<string, string>([
  ['claude-ai', 'claude-desktop'], ['claude', 'claude-desktop'], ['claude desktop', 'claude-desktop'], ['claude-desktop', 'claude-desktop'],
  ['claude-code', 'claude-code'], ['claude code', 'claude-code'],
  ['cursor-vscode', 'cursor'], ['cursor', 'cursor'],
  ['visual studio code', 'vscode'], ['visual studio code - insiders', 'vscode'], ['vscode', 'vscode'],
  ['windsurf-client', 'windsurf'], ['windsurf', 'windsurf'],
  ['zed', 'zed'],
]);

/** clientInfo.name ("claude-ai", "Visual Studio Code", "cursor-vscode") as an id; any other name as its slug. */
export function clientIdFromInfo(name: string): string {
  const lower = name.trim().toLowerCase();
  return KNOWN_NAMES.get(lower) ?? (lower.replace(/[^a-z0-9._-]+/g, '-').slice(0, 64) || 'unknown');
}
