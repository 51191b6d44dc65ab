import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadState } from '../../../main/firewall/clients/bookkeeping.js';
import { editorFor } from '../../../main/firewall/clients/formats/index.js';
import { protectClients, scanClients, unprotectClients, type EditDeps, type EditReport, type EntryResult } from '../../../main/firewall/clients/index.js';
import { createAuditLog, type AuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createRegistry, pinnedRemote, remoteFingerprint, type Registry } from '../../../main/firewall/registry/registry.js';
import { proposeRemote, remoteStanding } from '../../../main/firewall/registry/remote-proposal.js';
import { openDatabase } from '../../../main/firewall/store/database.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

const PORT = 7337;
const KEY = 'route-key-of-this-install_0123456789abcdefg';
const ours = (name: string, sse = false) => `http://127.0.0.1:${PORT}/mcp/${encodeURIComponent(name)}${sse ? '/sse' : ''}?key=${KEY}`;

// Gemini: `httpUrl` is Streamable HTTP; the fixture's exa entry carries its key in the query.
const GEMINI = `{
  // Gemini CLI user settings
  "mcpServers": {
    "docs": {
      "httpUrl": "https://docs.example.com/mcp",
      "timeout": 5000
    },
    "exa": { "httpUrl": "https://mcp.exa.ai/mcp?exaApiKey=exa-FAKEfake1234567890" },
    "legacy": { "url": "https://legacy.example.com/sse" }
  }
}
`;

let fx: FixtureHome;
let registry: Registry;
let audit: AuditLog;
let proposals: () => Array<{ server_name: string; client: string; reason: string }>;
let close: () => void;
afterEach(() => {
  close();
  fx.cleanup();
});

function setup(): void {
  fx = createFixtureHome();
  writeFileSync(join(fx.home, '.gemini/settings.json'), GEMINI);
  const db = openDatabase(join(fx.dataDir, 'firewall.db'));
  registry = createRegistry(db);
  audit = createAuditLog(db);
  proposals = () => db.prepare("SELECT server_name, client, reason FROM mcp_audit WHERE decision = 'PROPOSED' ORDER BY id").all() as Array<{ server_name: string; client: string; reason: string }>;
  close = () => db.close();
  fx.deps.remote = {
    port: PORT,
    key: KEY,
    standing: (name, url) => remoteStanding(registry, name, url),
    propose: (name, url, client) => proposeRemote(registry, audit, name, url, client),
  };
}

const FILES = {
  claude: '.claude.json',
  windsurf: '.codeium/windsurf/mcp_config.json',
  gemini: '.gemini/settings.json',
  codex: '.codex/config.toml',
  cursor: '.cursor/mcp.json',
};
const read = (rel: string) => readFileSync(join(fx.home, rel), 'utf8');
const json = (rel: string) => editorFor('json').parse(read(rel)) as { mcpServers: Record<string, Record<string, unknown>> };
const entry = (report: EditReport, client: string, name: string): EntryResult | undefined => report.entries.find((e) => e.client === client && e.name === name);

async function protectRemote(extra: Partial<EditDeps> = {}): Promise<EditReport> {
  const report: EditReport = { entries: [], errors: [], backups: [] };
  for (const client of ['claude-code', 'windsurf', 'gemini-cli', 'codex-cli', 'cursor']) {
    const r = await protectClients({ ...fx.deps, ...extra }, { client });
    report.entries.push(...r.entries);
    report.errors.push(...r.errors);
    report.backups.push(...r.backups);
  }
  return report;
}

describe('protect routes Streamable HTTP entries through the interposer', () => {
  it('rewrites url, serverUrl, httpUrl and a TOML url to /mcp/NAME, keeping type and every other key', async () => {
    setup();
    const report = await protectRemote();
    expect(report.errors).toEqual([]);
    const claude = json(FILES.claude).mcpServers.notion!;
    expect(claude).toEqual({ type: 'http', url: ours('notion'), headers: { Authorization: 'Bearer ntn_FAKE00000000000000000000000000000000' } });
    expect(json(FILES.windsurf).mcpServers.figma).toEqual({ serverUrl: ours('figma'), headers: { Authorization: 'Bearer ${env:AUTH_TOKEN}' } });
    expect(json(FILES.gemini).mcpServers.docs).toEqual({ httpUrl: ours('docs'), timeout: 5000 });
    expect(read(FILES.gemini)).toContain('// Gemini CLI user settings');
    const codex = parseToml(read(FILES.codex)) as { mcp_servers: Record<string, Record<string, unknown>> };
    expect(codex.mcp_servers['docs-search']).toEqual({ url: ours('docs-search'), bearer_token_env_var: 'DOCS_TOKEN' });
    expect(read(FILES.codex)).toContain('# Codex CLI configuration');
    for (const [client, name] of [['claude-code', 'notion'], ['windsurf', 'figma'], ['gemini-cli', 'docs'], ['codex-cli', 'docs-search']] as const) {
      expect(entry(report, client, name)).toMatchObject({ outcome: 'protected' });
      expect(entry(report, client, name)!.detail).toContain(`approve it to connect: mcp-firewall registry approve ${name}`);
    }
    // The client's token is not forwarded: each entry that has one is told where it goes.
    expect(entry(report, 'codex-cli', 'docs-search')!.detail).toContain('mcp-firewall secrets set docs-search AUTHORIZATION');
    expect(entry(report, 'gemini-cli', 'docs')!.detail).not.toContain('secrets set');
  });

  it('keeps the original URL in bookkeeping and as the proposal that `registry approve NAME` pins exactly', async () => {
    setup();
    await protectRemote();
    const originals = { notion: 'https://mcp.notion.com/mcp', figma: 'https://mcp.figma.com/mcp', docs: 'https://docs.example.com/mcp', 'docs-search': 'https://docs.example.com/mcp' };
    const recorded = (rel: string, name: string) => loadState(fx.dataDir, join(fx.home, rel))!.entries.find((e) => e.name === name);
    expect(recorded(FILES.claude, 'notion')).toMatchObject({ kind: 'remote', original: { command: 'url', args: [originals.notion] }, inserted: { command: 'url', args: [ours('notion')] } });
    expect(recorded(FILES.windsurf, 'figma')?.original.args).toEqual([originals.figma]);
    expect(recorded(FILES.gemini, 'docs')?.original.args).toEqual([originals.docs]);
    expect(recorded(FILES.codex, 'docs-search')?.original.args).toEqual([originals['docs-search']]);
    // Each proposal is audited: a route exists now that waits for a person.
    const streamable = proposals().filter((p) => !['sentry', 'legacy'].includes(p.server_name));
    expect(streamable.map((p) => p.server_name).sort()).toEqual(Object.keys(originals).sort());
    expect(proposals().find((p) => p.server_name === 'notion')!.reason).toContain(originals.notion);
    for (const [name, url] of Object.entries(originals)) {
      expect(registry.get(name)).toBeNull();
      expect(registry.pending(name)).toEqual(remoteFingerprint(url));
      expect(pinnedRemote(registry.approve(name).fingerprint)?.url).toBe(url);
    }
  });

  it('leaves URLs with secrets and headers it cannot carry, and changes nothing for them', async () => {
    setup();
    const report = await protectRemote();
    expect(entry(report, 'gemini-cli', 'exa')).toEqual(expect.objectContaining({ outcome: 'remote-not-routed', detail: expect.stringContaining('URL carries a secret') }));
    expect(entry(report, 'cursor', 'context7')).toEqual(expect.objectContaining({ outcome: 'remote-not-routed', detail: expect.stringContaining('header CONTEXT7_API_KEY would not reach the server') }));
    expect(read(FILES.cursor).includes('"url": "https://mcp.context7.com/mcp"')).toBe(true);
    for (const name of ['exa', 'context7']) expect(registry.pending(name)).toBeNull();
    expect(proposals().filter((p) => ['exa', 'context7'].includes(p.server_name))).toEqual([]);
  });

  it('routes legacy SSE entries to /mcp/NAME/sse, keeping their type, and proposes an SSE pin for them', async () => {
    setup();
    const report = await protectRemote();
    expect(entry(report, 'gemini-cli', 'legacy')).toMatchObject({ outcome: 'protected', detail: 'approve it to connect: mcp-firewall registry approve legacy' });
    // Gemini reads a bare url as SSE: it stays what it was.
    expect(json(FILES.gemini).mcpServers.legacy).toEqual({ url: ours('legacy', true) });
    // The project's .mcp.json is shared with the repo: no route key goes there (project-route-key.test.ts).
    const project = JSON.parse(readFileSync(join(fx.project, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, unknown> };
    expect(project.mcpServers.sentry).toEqual({ type: 'sse', url: 'https://mcp.sentry.dev/sse' });
    expect(registry.pending('sentry')).toBeNull();
    expect(registry.pending('legacy')).toEqual({ command: 'sse-url', args: ['https://legacy.example.com/sse'] });
    expect(proposals().find((p) => p.server_name === 'legacy')!.reason).toContain('https://legacy.example.com/sse (legacy SSE)');
    expect(registry.approve('legacy').fingerprint).toEqual(remoteFingerprint('https://legacy.example.com/sse', 'sse'));

    const rows = scanClients(fx.deps).servers;
    expect(rows.find((r) => r.client === 'gemini-cli' && r.name === 'legacy')).toMatchObject({ status: 'protected', transport: 'sse', url: 'https://legacy.example.com/sse' });
    expect(entry(await protectRemote(), 'gemini-cli', 'legacy')).toMatchObject({ outcome: 'already-protected' });
  });

  it('leaves an SSE entry whose name is pinned to the same URL over Streamable HTTP: a changed transport is drift', async () => {
    setup();
    registry.approve('legacy', remoteFingerprint('https://legacy.example.com/sse'));
    const report = await protectRemote();
    expect(entry(report, 'gemini-cli', 'legacy')).toMatchObject({
      outcome: 'remote-not-routed',
      detail: expect.stringContaining('registered with the other transport (url https://legacy.example.com/sse); left as is (to route it: mcp-firewall registry approve --url https://legacy.example.com/sse --sse legacy)'),
    });
    expect(json(FILES.gemini).mcpServers.legacy).toEqual({ url: 'https://legacy.example.com/sse' });
  });

  it('is idempotent: a second protect changes no byte, proposes nothing new and still names the approve command', async () => {
    setup();
    await protectRemote();
    const after = fx.files();
    const second = await protectRemote();
    expect(fx.files()).toEqual(after);
    expect(second.backups).toEqual([]);
    expect(entry(second, 'claude-code', 'notion')).toEqual(expect.objectContaining({ outcome: 'already-protected', detail: 'approve it to connect: mcp-firewall registry approve notion' }));
    registry.approve('notion');
    const third = await protectRemote();
    expect(entry(third, 'claude-code', 'notion')).toEqual(expect.objectContaining({ outcome: 'already-protected' }));
    expect(entry(third, 'claude-code', 'notion')!.detail).toBeUndefined();
  });

  it('scan reports a routed entry as protected and shows the URL it stands for', async () => {
    setup();
    await protectRemote();
    const rows = scanClients(fx.deps).servers;
    expect(rows.find((r) => r.client === 'windsurf' && r.name === 'figma')).toMatchObject({ status: 'protected', transport: 'http', url: 'https://mcp.figma.com/mcp' });
    expect(rows.find((r) => r.client === 'gemini-cli' && r.name === 'exa')).toMatchObject({ status: 'shadow' });
    // Without the port, our own record still identifies the route.
    const { remote: _r, ...noPort } = fx.deps;
    expect(scanClients(noPort).servers.find((r) => r.client === 'codex-cli' && r.name === 'docs-search')).toMatchObject({ status: 'protected' });
  });

  it('unprotect restores every file byte for byte', async () => {
    setup();
    const before = fx.files();
    await protectRemote();
    expect(fx.files()).not.toEqual(before);
    const report = await unprotectClients(fx.deps);
    expect(report.errors).toEqual([]);
    expect(fx.files()).toEqual(before);
  });

  it('restores only the URL spans of a file the client changed since', async () => {
    setup();
    const original = read(FILES.gemini);
    await protectRemote();
    const changed = read(FILES.gemini).replace('"timeout": 5000', '"timeout": 9000');
    writeFileSync(join(fx.home, FILES.gemini), changed);
    const report = await unprotectClients(fx.deps, { client: 'gemini-cli' });
    expect(entry(report, 'gemini-cli', 'docs')).toMatchObject({ outcome: 'restored' });
    expect(read(FILES.gemini)).toBe(original.replace('"timeout": 5000', '"timeout": 9000'));
  });

  it('says which routed entries it cannot put back once the data dir is gone, instead of skipping them silently', async () => {
    setup();
    await protectRemote();
    rmSync(join(fx.dataDir, 'clients'), { recursive: true, force: true }); // the bookkeeping, lost
    const routed = read(FILES.gemini);
    const report = await unprotectClients(fx.deps, { client: 'gemini-cli' });
    expect(entry(report, 'gemini-cli', 'docs')).toMatchObject({ outcome: 'unsupported', detail: expect.stringMatching(/^routed through the firewall, but the URL it stood for is not in the data dir/) });
    expect(read(FILES.gemini)).toBe(routed);
  });

  it('restores a routed list entry that moved (an item before it was removed), instead of losing its URL for good', async () => {
    setup();
    const rel = '.continue/config.yaml';
    writeFileSync(join(fx.home, rel), 'name: A\nmcpServers:\n  - name: GitHub\n    command: npx\n  - name: Docs\n    type: streamable-http\n    url: https://docs.example.com/mcp\n');
    await protectClients(fx.deps, { client: 'continue' });
    expect(read(rel)).toContain(ours('Docs'));
    // The user removes GitHub: Docs is now item 0, not item 1.
    const doc = YAML.parseDocument(read(rel));
    (doc.get('mcpServers') as YAML.YAMLSeq).delete(0);
    writeFileSync(join(fx.home, rel), doc.toString());
    const report = await unprotectClients(fx.deps, { client: 'continue' });
    expect(report.errors).toEqual([]);
    expect(entry(report, 'continue', 'Docs')).toMatchObject({ outcome: 'restored' });
    expect(YAML.parse(read(rel))).toEqual({ name: 'A', mcpServers: [{ name: 'Docs', type: 'streamable-http', url: 'https://docs.example.com/mcp' }] });
  });

  it('leaves an entry registered with another URL or as a local server: drift for a person, registry untouched', async () => {
    setup();
    registry.approve('notion', remoteFingerprint('https://elsewhere.example.com/mcp'));
    registry.approve('figma', { command: 'npx', args: ['figma-mcp'] });
    const beforeClaude = read(FILES.claude);
    const report = await protectRemote();
    expect(entry(report, 'claude-code', 'notion')).toMatchObject({ outcome: 'remote-not-routed', detail: expect.stringContaining('registered with another URL (https://elsewhere.example.com/mcp)') });
    expect(entry(report, 'windsurf', 'figma')).toMatchObject({ outcome: 'remote-not-routed', detail: expect.stringContaining('registered as a local server (npx figma-mcp)') });
    expect(json(FILES.claude).mcpServers.notion!.url).toBe('https://mcp.notion.com/mcp');
    expect(read(FILES.claude)).not.toBe(beforeClaude); // its stdio entries were still wrapped
    expect(pinnedRemote(registry.get('notion')!.fingerprint)?.url).toBe('https://elsewhere.example.com/mcp');
    expect(registry.pending('notion')).toBeNull();
    expect(registry.pending('figma')).toBeNull();
  });

  it('routes an entry already approved with the same URL without asking again', async () => {
    setup();
    registry.approve('figma', remoteFingerprint('https://mcp.figma.com/mcp'));
    const report = await protectRemote();
    expect(entry(report, 'windsurf', 'figma')).toMatchObject({ outcome: 'protected' });
    expect(entry(report, 'windsurf', 'figma')!.detail).not.toContain('approve');
    expect(registry.pending('figma')).toBeNull();
  });

  it('with --move-secrets moves a plaintext Authorization header to the keychain as AUTHORIZATION; a whole-file restore brings it back', async () => {
    setup();
    const before = fx.files();
    const keychain = new Map<string, string>();
    const report = await protectRemote({ moveSecret: async (server, name, value) => void keychain.set(`${server}/${name}`, value) });
    expect(keychain.get('notion/AUTHORIZATION')).toBe('Bearer ntn_FAKE00000000000000000000000000000000');
    // A reference (${env:AUTH_TOKEN}) is not a plaintext secret: it stays, with the hint.
    expect(keychain.has('figma/AUTHORIZATION')).toBe(false);
    expect(json(FILES.claude).mcpServers.notion).toEqual({ type: 'http', url: ours('notion'), headers: {} });
    expect(entry(report, 'claude-code', 'notion')!.detail).toContain('moved 1 secret(s) to the OS keychain: AUTHORIZATION');
    // Our copy of the file holds a placeholder where the header was: the keychain gives it back.
    await unprotectClients({ ...fx.deps, readSecret: async (server, name) => keychain.get(`${server}/${name}`) ?? null });
    expect(fx.files()).toEqual(before);
  });

  it('says which moved secrets a span restore does not bring back (the file changed since), instead of reporting a plain restore', async () => {
    setup();
    await protectRemote({ moveSecret: async () => {} });
    // Any other edit: the saved original no longer is the whole truth, so only our spans go back.
    writeFileSync(join(fx.home, FILES.claude), read(FILES.claude).replace('"mcpServers"', '"theme": 2,\n  "mcpServers"'));
    const report = await unprotectClients(fx.deps, { client: 'claude-code' });
    expect(entry(report, 'claude-code', 'notion')).toMatchObject({ outcome: 'restored', detail: expect.stringContaining('its AUTHORIZATION stayed in the OS keychain') });
    expect(json(FILES.claude).mcpServers.notion!.headers).toEqual({});
  });
});
