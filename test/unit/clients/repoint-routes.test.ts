import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../main/cli/command.js';
import { createProtectCommand } from '../../../main/cli/commands/protect.js';
import { loadState } from '../../../main/firewall/clients/bookkeeping.js';
import { protectClients, repointStaleRoutes, scanClients, unprotectClients, type EditDeps, type EditReport, type RemoteRoutes } from '../../../main/firewall/clients/index.js';
import { editText, scanText } from '../../../main/firewall/clients/report-text.js';
import { createAuditLog } from '../../../main/firewall/audit/audit-log.js';
import { createRegistry } from '../../../main/firewall/registry/registry.js';
import { proposeRemote, remoteStanding } from '../../../main/firewall/registry/remote-proposal.js';
import { openDatabase } from '../../../main/firewall/store/database.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

// Ports of two engine runs: protect wrote routes for the first, the engine listens on the second.
const A = 7337;
const B = 49152;
const C = 50001;
const KEY = 'route-key-of-this-install_0123456789abcdefg';
const route = (port: number, name: string, sse = false, key: string | null = KEY) =>
  `http://127.0.0.1:${port}/mcp/${encodeURIComponent(name)}${sse ? '/sse' : ''}${key === null ? '' : `?key=${key}`}`;
/** A route as reports show it: the key masked (the config file holds it whole). */
const shown = (port: number, name: string, sse = false) => route(port, name, sse, 'rout…(43 chars)');

const GEMINI_FILE = '.gemini/settings.json';
// Our own files beside a route somebody else wrote for the same port ("lookalike").
const GEMINI = `{
  // Gemini CLI user settings
  "mcpServers": {
    "docs": { "httpUrl": "https://docs.example.com/mcp", "timeout": 5000 },
    "legacy": { "url": "https://legacy.example.com/sse" },
    "lookalike": { "httpUrl": "${route(A, 'lookalike')}" },
    "gh": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"] }
  }
}
`;

let fx: FixtureHome;
let close: () => void;
let routesFor: (port: number) => RemoteRoutes;
afterEach(() => {
  close();
  fx.cleanup();
});

function setup(): void {
  fx = createFixtureHome();
  writeFileSync(join(fx.home, GEMINI_FILE), GEMINI);
  const db = openDatabase(join(fx.dataDir, 'firewall.db'));
  const registry = createRegistry(db);
  const audit = createAuditLog(db);
  close = () => db.close();
  routesFor = (port) => ({ port, key: KEY, standing: (name, url) => remoteStanding(registry, name, url), propose: (name, url, client) => proposeRemote(registry, audit, name, url, client) });
}

const on = (port: number, extra: Partial<EditDeps> = {}): EditDeps => ({ ...fx.deps, remote: routesFor(port), ...extra });
const gemini = () => readFileSync(join(fx.home, GEMINI_FILE), 'utf8');
const entry = (report: EditReport, client: string, name: string) => report.entries.find((e) => e.client === client && e.name === name);
/** Every remote entry routed on `port`, as client/name. */
const routedOn = (port: number) =>
  scanClients({ ...fx.deps, remote: { port, key: KEY } }).servers.filter((r) => r.status === 'protected' && r.transport !== 'stdio').map((r) => `${r.client}/${r.name}`).sort();

describe('protect re-points the routes it wrote for another port', () => {
  it('moves every route of every dialect to the engine port, keeping the original for a byte-exact unprotect', async () => {
    setup();
    const before = fx.files();
    expect((await protectClients(on(A))).errors).toEqual([]);
    const routed = routedOn(A).filter((r) => r !== 'gemini-cli/lookalike');
    expect(routed.length).toBeGreaterThanOrEqual(10); // url, serverUrl, httpUrl, Goose uri, TOML url, list items, SSE…

    const second = await protectClients(on(B));
    expect(second.errors).toEqual([]);
    const repointed = second.entries.filter((e) => e.outcome === 'repointed');
    expect(repointed.map((e) => `${e.client}/${e.name}`).sort()).toEqual(routed);
    for (const e of repointed) {
      expect(e.detail).toContain(`from port ${A} to port ${B}, where the firewall listens`);
      expect(e.route!.from).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${A}/mcp/.*\\?key=rout…\\(43 chars\\)$`));
      expect(e.route!.to).toBe(e.route!.from.replace(`:${A}/`, `:${B}/`));
    }
    expect(routedOn(B)).toEqual(expect.arrayContaining(routed));
    expect(editText(second)).toContain(`${'re-pointed'.padEnd(22)} gemini-cli  docs  (${join(fx.home, GEMINI_FILE)}): from port ${A} to port ${B}`);
    // The SSE route keeps its transport; the other keys are untouched.
    expect(gemini()).toContain(`"legacy": { "url": "${route(B, 'legacy', true)}" }`);
    expect(gemini()).toContain(`"docs": { "httpUrl": "${route(B, 'docs')}", "timeout": 5000 }`);
    // Bookkeeping: the URL the entry had before protect stays the record's original.
    const docs = loadState(fx.dataDir, join(fx.home, GEMINI_FILE))!.entries.find((e) => e.name === 'docs')!;
    expect(docs).toMatchObject({ original: { command: 'url', args: ['https://docs.example.com/mcp'] }, inserted: { command: 'url', args: [route(B, 'docs')] } });

    // Once more on B changes nothing; a third port moves them again.
    const settled = fx.files();
    const third = await protectClients(on(B));
    expect(fx.files()).toEqual(settled);
    expect(third.backups).toEqual([]);
    expect(entry(third, 'gemini-cli', 'docs')).toMatchObject({ outcome: 'already-protected' });
    expect((await protectClients(on(C))).entries.filter((e) => e.outcome === 'repointed')).toHaveLength(routed.length);

    // The files are as protect left them, so the saved original bytes still undo it all at once.
    const undone = await unprotectClients(on(C));
    expect(undone.errors).toEqual([]);
    expect(entry(undone, 'gemini-cli', 'docs')).toMatchObject({ outcome: 'restored', detail: 'original bytes' });
    expect(fx.files()).toEqual(before);
  });

  it('keeps the original URL text for a span restore once the client changed the file after the move', async () => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    await protectClients(on(B), { client: 'gemini-cli' });
    writeFileSync(join(fx.home, GEMINI_FILE), gemini().replace('"timeout": 5000', '"timeout": 9000'));
    const report = await unprotectClients(on(B), { client: 'gemini-cli' });
    expect(entry(report, 'gemini-cli', 'docs')).toMatchObject({ outcome: 'restored' });
    expect(gemini()).toBe(GEMINI.replace('"timeout": 5000', '"timeout": 9000'));
  });

  it('leaves a route protect did not write, or one changed since, with the reason, and writes nothing', async () => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    // An entry of ours now naming another server's route: not what protect wrote.
    writeFileSync(join(fx.home, GEMINI_FILE), gemini().replace(route(A, 'docs'), route(A, 'other')));
    const bytes = gemini();
    const report = await protectClients(on(B), { client: 'gemini-cli' });
    expect(report.errors).toEqual([]);
    expect(entry(report, 'gemini-cli', 'lookalike')).toMatchObject({
      outcome: 'remote-not-routed',
      detail: `points at a firewall route on port ${A}, not the firewall's port ${B}; protect did not write this URL (nothing in its bookkeeping), so it is left as is: check who did`,
    });
    expect(entry(report, 'gemini-cli', 'docs')).toMatchObject({ outcome: 'remote-not-routed', detail: expect.stringContaining('protect did not write this URL') });
    // The legacy route is ours and moves; the two others stay byte for byte.
    expect(entry(report, 'gemini-cli', 'legacy')).toMatchObject({ outcome: 'repointed' });
    expect(gemini()).toBe(bytes.replace(route(A, 'legacy', true), route(B, 'legacy', true)));
  });

  it('with --dry-run says what it would move and writes nothing', async () => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    const files = fx.files();
    const report = await protectClients(on(B), { client: 'gemini-cli', dryRun: true });
    expect(entry(report, 'gemini-cli', 'docs')).toMatchObject({ outcome: 'would-repoint', route: { from: shown(A, 'docs'), to: shown(B, 'docs') } });
    expect(report.backups).toEqual([]);
    expect(fx.files()).toEqual(files);
  });

  it('repointStaleRoutes (the app start) moves only our routes: unrouted and unwrapped entries stay as they are', async () => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    const before = fx.files();
    const geminiBefore = gemini();
    const report = await repointStaleRoutes(on(B));
    expect(report.errors).toEqual([]);
    expect(report.entries.map((e) => `${e.name}:${e.outcome}`).sort()).toEqual(['docs:repointed', 'legacy:repointed', 'lookalike:remote-not-routed']);
    // Every other client's file is untouched, its unprotected entries included…
    const after = fx.files();
    for (const [file, bytes] of before) if (!file.endsWith(GEMINI_FILE)) expect(after.get(file), file).toEqual(bytes);
    // …and in Gemini's only our two routes changed (gh keeps the wrap line protect gave it).
    expect(gemini()).toBe(geminiBefore.replace(route(A, 'docs'), route(B, 'docs')).replace(route(A, 'legacy', true), route(B, 'legacy', true)));
    expect(report.backups).toHaveLength(1);
  });
});

describe('protect gives the routes it wrote this install\'s route key', () => {
  const OLD = 'route-key-of-another-install_0123456789abcd';
  /** The files as an install before route keys (or with another key) left them: config and bookkeeping alike. */
  function rewriteKeys(from: string, to: string): void {
    for (const file of [join(fx.home, GEMINI_FILE), ...readdirSync(join(fx.dataDir, 'clients')).filter((f) => f.endsWith('.json')).map((f) => join(fx.dataDir, 'clients', f))]) {
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll(from, to));
    }
  }

  it.each([
    ['without a key (written before routes carried one)', '', 'without a route key (written before routes carried one)'],
    ['with another install\'s key', `?key=${OLD}`, "with another install's route key"],
  ])('re-points a route on the engine\'s own port %s, and scan shows it as refused until then', async (_, written, why) => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    rewriteKeys(`?key=${KEY}`, written);
    const row = scanClients({ ...fx.deps, remote: { port: A, key: KEY } }, { client: 'gemini-cli' }).servers.find((r) => r.name === 'docs')!;
    expect(row).toMatchObject({ status: 'shadow', url: 'https://docs.example.com/mcp', note: expect.stringContaining(`points at the firewall's route ${why}, so the firewall refuses it: run mcp-firewall protect to re-point it`) });

    const report = await protectClients(on(A), { client: 'gemini-cli' });
    expect(report.errors).toEqual([]);
    expect(entry(report, 'gemini-cli', 'docs')).toMatchObject({ outcome: 'repointed', detail: expect.stringMatching(/^given this install's route key; approve it to connect/), route: { from: written ? shown(A, 'docs') : route(A, 'docs', false, null), to: shown(A, 'docs') } });
    // The report (printed, audited at an engine start) never holds a route key whole.
    expect(JSON.stringify(report)).not.toContain(KEY);
    expect(JSON.stringify(report)).not.toContain(OLD);
    expect(entry(report, 'gemini-cli', 'legacy')).toMatchObject({ outcome: 'repointed', route: { to: shown(A, 'legacy', true) } });
    // A look-alike route nobody recorded keeps whatever it had.
    expect(entry(report, 'gemini-cli', 'lookalike')).toMatchObject({ outcome: 'remote-not-routed', detail: expect.stringContaining('protect did not write this URL') });
    expect(gemini()).toContain(`"docs": { "httpUrl": "${route(A, 'docs')}", "timeout": 5000 }`);
    expect(routedOn(A)).toEqual(expect.arrayContaining(['gemini-cli/docs', 'gemini-cli/legacy']));
    // And unprotect still puts the original back (the look-alike as this test left it).
    await unprotectClients(on(A), { client: 'gemini-cli' });
    expect(gemini()).toBe(GEMINI.replaceAll(`?key=${KEY}`, written));
  });
});

describe('the protect command moves routes only to a port a running engine announced', () => {
  const cliIo = (out: string[]): CliIo => ({ stdout: (t) => out.push(t), stderr: () => {}, env: { HOME: fx.home, MCP_FIREWALL_HOME: fx.dataDir }, cwd: fx.project });
  const command = () => createProtectCommand({ runtimePath: fx.deps.runtimePath, cliPath: fx.deps.cliPath, registry: fx.deps.registry, remote: routesFor(B), platform: 'linux' }, () => {
    throw new Error('no keychain in this test');
  });

  it('leaves routes as they are while no engine runs (the port is a guess: another process may hold it), and moves them once one announced it', async () => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    const routed = gemini();
    const idle: string[] = [];
    expect(await command()(['--client', 'gemini-cli'], cliIo(idle))).toBe(0);
    expect(idle.join('')).toMatch(/remote: not routed +gemini-cli {2}docs .*the firewall is not running, so it is left as is: start it, then run protect again/);
    expect(gemini()).toBe(routed);

    // What serve and the app write once they listen.
    mkdirSync(fx.dataDir, { recursive: true });
    writeFileSync(join(fx.dataDir, 'control.json'), JSON.stringify({ port: B, socket: join(fx.dataDir, 'engine.sock'), pid: process.pid }));
    writeFileSync(join(fx.dataDir, 'control-token'), 'token\n');
    const running: string[] = [];
    expect(await command()(['--client', 'gemini-cli', '--json'], cliIo(running))).toBe(0);
    const entries = (JSON.parse(running.join('')) as EditReport).entries;
    expect(entries.find((e) => e.name === 'docs')).toMatchObject({ outcome: 'repointed', route: { from: shown(A, 'docs'), to: shown(B, 'docs') } });
    expect(gemini()).toContain(route(B, 'docs'));
  });

  it('moves nothing on the word of a control.json whose engine is gone (a crash leaves it behind; the port may be anyone\'s now)', async () => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    const routed = gemini();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(fx.dataDir, { recursive: true });
    writeFileSync(join(fx.dataDir, 'control.json'), JSON.stringify({ port: B, socket: join(fx.dataDir, 'engine.sock'), pid: gone }));
    writeFileSync(join(fx.dataDir, 'control-token'), 'token\n');
    const out: string[] = [];
    expect(await command()(['--client', 'gemini-cli'], cliIo(out))).toBe(0);
    expect(out.join('')).toMatch(/remote: not routed +gemini-cli {2}docs .*the firewall is not running, so it is left as is/);
    expect(gemini()).toBe(routed);
  });

  it('moves nothing to a port no running engine announced (a live engine elsewhere does not own it)', async () => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    const routed = gemini();
    mkdirSync(fx.dataDir, { recursive: true });
    writeFileSync(join(fx.dataDir, 'control.json'), JSON.stringify({ port: C, socket: join(fx.dataDir, 'engine.sock'), pid: process.pid }));
    writeFileSync(join(fx.dataDir, 'control-token'), 'token\n');
    const out: string[] = [];
    expect(await command()(['--client', 'gemini-cli'], cliIo(out))).toBe(0);
    expect(out.join('')).toMatch(/remote: not routed +gemini-cli {2}docs .*the firewall is not running, so it is left as is/);
    expect(gemini()).toBe(routed);
  });
});

describe('scan reports stale routes', () => {
  it('shows a route to another port as not protected, says whose it is and what to do', async () => {
    setup();
    await protectClients(on(A), { client: 'gemini-cli' });
    const result = scanClients({ ...fx.deps, remote: { port: B, key: KEY } }, { client: 'gemini-cli' });
    const row = (name: string) => result.servers.find((r) => r.name === name)!;
    expect(row('docs')).toMatchObject({
      status: 'shadow',
      url: 'https://docs.example.com/mcp',
      staleRoute: { port: A, enginePort: B, ours: true },
      note: `points at a firewall route on port ${A}, not the firewall's port ${B}, so its traffic does not reach the firewall: run mcp-firewall protect to re-point it`,
    });
    // A route's key is masked wherever the URL is shown, and is no secret finding to move.
    expect(row('lookalike')).toMatchObject({ status: 'shadow', url: route(A, 'lookalike', false, 'rout…(43 chars)'), secrets: [], staleRoute: { port: A, enginePort: B, ours: false }, note: expect.stringContaining('protect did not write this URL') });
    expect(row('gh').staleRoute).toBeUndefined();
    expect(scanText(result)).toContain('; 3 stale firewall routes');
    // On the port they name, they are protected as before.
    expect(scanClients({ ...fx.deps, remote: { port: A, key: KEY } }, { client: 'gemini-cli' }).servers.find((r) => r.name === 'docs')).toMatchObject({ status: 'protected' });
  });
});
