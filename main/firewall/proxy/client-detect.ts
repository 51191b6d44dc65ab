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

/** Normalises clientInfo.name ("claude-ai", "Visual Studio Code", "cursor-vscode") to an id. */
export function clientIdFromInfo(name: string): string {
  const lower = name.toLowerCase();
  if (lower.includes('cursor')) return 'cursor';
  if (lower.includes('claude-code') || lower === 'claude code') return 'claude-code';
  if (lower.includes('claude')) return 'claude-desktop';
  if (lower.includes('visual studio code') || lower === 'vscode') return 'vscode';
  if (lower.includes('windsurf')) return 'windsurf';
  if (lower.includes('zed')) return 'zed';
  return lower.replace(/[^a-z0-9._-]+/g, '-').slice(0, 64) || 'unknown';
}
