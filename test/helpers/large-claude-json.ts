// A ~/.claude.json as Claude Code keeps it after months of use: JSON.stringify(…, null, 2)
// of a few settings, a big "projects" map whose entries carry prompt history, and MCP
// servers at the top level and in some projects. Deterministic, so two runs edit the same text.

export interface LargeClaudeJsonOptions {
  /** Rough size of the file in bytes; history entries are added until it is reached. */
  bytes: number;
  /** How many MCP server entries in all (top level and projects). */
  servers: number;
  /** How many projects hold servers (the rest only history). */
  serverProjects?: number;
}

/** A small seeded generator (mulberry32): the same options give the same file. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'fix the failing test in parser add a flag for verbose output refactor the store so reads do not block why does the build break on windows explain this stack trace write docs for the api rename'.split(' ');

function sentence(r: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(r() * WORDS.length)]!).join(' ');
}

/** One server entry of each kind protect meets in a Claude Code file, chosen by i. */
function serverEntry(i: number): Record<string, unknown> {
  switch (i % 8) {
    case 0:
      return { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: `ghp_${'A1b2C3d4E5'.repeat(3)}${String(i).padStart(6, '0')}` } };
    case 1:
      return { command: 'uvx', args: ['mcp-server-fetch'] };
    case 2:
      return { type: 'http', url: `https://mcp.example${i}.com/mcp`, headers: { Authorization: `Bearer sk-live-${'x9'.repeat(12)}${i}` } };
    case 3:
      return { type: 'stdio', command: 'node', args: [`/home/u/src/tools/server-${i}.js`, '--port', '0'], env: {} };
    case 4:
      return { type: 'sse', url: `https://sse.example${i}.com/sse` };
    case 5:
      return { command: 'docker', args: ['run', '-i', '--rm', '-e', 'SLACK_BOT_TOKEN', 'mcp/slack'], env: { SLACK_BOT_TOKEN: `xoxb-${i}-1234567890-abcdefghijklmnop`, SLACK_TEAM_ID: 'T01234567' } };
    case 6:
      return { type: 'http', url: `https://api.example${i}.com/mcp?team=${i}` };
    default:
      return { command: 'python', env: { DATABASE_URL: `postgresql://app:s3cret${i}@db.internal:5432/app`, LOG_LEVEL: 'debug' } };
  }
}

export function largeClaudeJson(opts: LargeClaudeJsonOptions): string {
  const r = rng(0xc1a0de);
  const serverProjects = opts.serverProjects ?? 16;
  const topLevel = Math.ceil(opts.servers / 5);
  let next = 0;
  const servers = (n: number) => Object.fromEntries(Array.from({ length: n }, () => [`server-${next}`, serverEntry(next++)]));
  const perProject = Math.max(1, Math.ceil((opts.servers - topLevel) / serverProjects));

  const project = (i: number, history: number): Record<string, unknown> => {
    const p: Record<string, unknown> = {
      allowedTools: [],
      history: Array.from({ length: history }, () => ({ display: sentence(r, 8 + Math.floor(r() * 60)), pastedContents: r() < 0.1 ? { 1: { id: 1, type: 'text', content: sentence(r, 200) } } : {} })),
      mcpContextUris: [],
      mcpServers: i < serverProjects ? servers(Math.min(perProject, opts.servers - next)) : {},
      enabledMcpjsonServers: [],
      disabledMcpjsonServers: [],
      hasTrustDialogAccepted: r() < 0.8,
      projectOnboardingSeenCount: Math.floor(r() * 5),
      lastCost: Math.round(r() * 1000) / 100,
      lastDuration: Math.floor(r() * 1e6),
      lastSessionId: `${Math.floor(r() * 1e9).toString(16)}-session`,
    };
    return p;
  };

  const doc: Record<string, unknown> = {
    numStartups: 812,
    installMethod: 'native',
    autoUpdates: false,
    tipsHistory: { 'new-user-warmup': 7, 'memory-command': 12, 'theme-command': 3 },
    mcpServers: servers(topLevel),
    projects: {} as Record<string, unknown>,
    userID: 'a'.repeat(64),
    hasCompletedOnboarding: true,
  };
  const projects = doc.projects as Record<string, unknown>;
  // Enough projects to reach the size; server-holding projects spread among them.
  const approx = 390; // bytes per history entry, on average
  const historyPer = 100;
  const count = Math.max(serverProjects, Math.ceil(opts.bytes / (approx * historyPer)));
  const order = Array.from({ length: count }, (_, i) => i).sort(() => r() - 0.5);
  for (const i of order) projects[`/home/u/src/project-${i}`] = project(i, historyPer);
  return JSON.stringify(doc, null, 2) + '\n';
}
