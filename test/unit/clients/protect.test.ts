import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discover, launchFingerprint, protectClients, protectFiles, scanClients, unprotectClients } from '../../../main/firewall/clients/index.js';
import { EXPECTED_SERVERS } from './expected-servers.js';
import { CLI, createFixtureHome, RUNTIME, type FixtureHome } from './fixture-home.js';

let fx: FixtureHome;
afterEach(() => fx.cleanup());

const STDIO = EXPECTED_SERVERS.filter((s) => s.endsWith('|stdio')).length;

function changedFiles(before: Map<string, Buffer>, after: Map<string, Buffer>): string[] {
  return [...before.keys()].filter((k) => !before.get(k)!.equals(after.get(k) ?? Buffer.alloc(0)));
}

describe('protect', () => {
  it('routes every stdio entry of every client through the wrap shim, leaving remote entries', async () => {
    fx = createFixtureHome();
    const report = await protectClients(fx.deps);
    expect(report.errors).toEqual([]);
    expect(report.entries.filter((e) => e.outcome === 'protected')).toHaveLength(STDIO);
    const remote = report.entries.filter((e) => e.outcome === 'remote-not-routed');
    expect(remote.length).toBe(EXPECTED_SERVERS.filter((s) => /\|(http|sse)$/.test(s)).length);
    // Without the engine's routes (the dashboard today), remote entries of both transports are left as they are;
    // those of project files would never be routed (the route key is not for a file shared with the repo).
    for (const e of remote) expect(e.detail).toEqual(e.scope === 'project' ? expect.stringContaining('not routed') : 'remote: not yet routed');

    const rows = scanClients(fx.deps).servers;
    expect(rows.filter((r) => r.status === 'protected')).toHaveLength(STDIO);
    expect(rows.filter((r) => r.transport === 'stdio').every((r) => r.status === 'protected')).toBe(true);
    // scan shows the real server inside the wrap line, not our runtime
    expect(rows.find((r) => r.client === 'goose' && r.name === 'github')).toMatchObject({ command: 'npx' });
  });

  it('does not count or make a wrap line whose env runs code inside the shim (NODE_OPTIONS --require, LD_PRELOAD)', async () => {
    fx = createFixtureHome(['github']);
    await protectClients(fx.deps, { client: 'claude-desktop' });
    const file = join(fx.home, '.config/Claude/claude_desktop_config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    const first = 'filesystem';
    // Someone edits the protected entry's env; the launch line still reads as our wrap.
    config.mcpServers.github.env = { ...config.mcpServers.github.env, NODE_OPTIONS: '--max-old-space-size=4096 --require /tmp/evil.js' };
    config.mcpServers[first].env = { ld_preload: '/tmp/evil.so' };
    // Not wrapped yet: a size limit is harmless, an --import would run in the shim once wrapped.
    config.mcpServers.fresh = { command: 'node', args: ['server.js'], env: { NODE_OPTIONS: '--max-old-space-size=512' } };
    config.mcpServers.traced = { command: 'node', args: ['server.js'], env: { NODE_OPTIONS: '--import ./otel.mjs' } };
    writeFileSync(file, JSON.stringify(config, null, 2));

    const rows = scanClients(fx.deps, { client: 'claude-desktop' }).servers;
    const github = rows.find((r) => r.name === 'github')!;
    expect(github).toMatchObject({ status: 'registered', command: 'npx' });
    expect(github.note).toMatch(/its env sets NODE_OPTIONS \(--require\), which would run code inside the firewall's shim/);
    expect(rows.find((r) => r.name === first)).toMatchObject({ status: 'shadow', note: expect.stringContaining('ld_preload') });
    expect(rows.find((r) => r.name === 'fresh')!.status).toBe('shadow');

    const report = await protectClients(fx.deps, { client: 'claude-desktop' });
    const outcome = (name: string) => report.entries.find((e) => e.name === name);
    expect(outcome('github')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('NODE_OPTIONS (--require)') });
    expect(outcome(first)!.outcome).toBe('refused');
    expect(outcome('traced')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('NODE_OPTIONS (--import)') });
    expect(outcome('fresh')!.outcome).toBe('protected');
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.mcpServers.traced).toEqual(config.mcpServers.traced);
    expect(after.mcpServers.fresh.command).toBe(RUNTIME);
  });

  it('reads NODE_OPTIONS as loosely as Node does, and refuses values it cannot see (variables, env_keys, an unreadable envFile)', async () => {
    fx = createFixtureHome();
    const file = join(fx.home, '.config/Claude/claude_desktop_config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    const node = (env: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ command: 'node', args: ['s.js'], env, ...extra });
    const refusedValues: Record<string, Record<string, unknown>> = {
      quoted: node({ NODE_OPTIONS: '--re""quire /x.js' }),
      leadingQuotes: node({ NODE_OPTIONS: '""--require /x.js' }),
      splitImport: node({ NODE_OPTIONS: '--imp"ort"=/x.mjs' }),
      underscore: node({ NODE_OPTIONS: '--experimental_loader=/x.mjs' }),
      variable: node({ NODE_OPTIONS: '${UNSET:---require} /x.js' }),
      compileCache: node({ NODE_COMPILE_CACHE: '/tmp/cache' }),
      keyring: node({}, { env_keys: ['NODE_OPTIONS'] }),
      unresolved: node({}, { envFile: '${userHome}/evil.env' }),
    };
    config.mcpServers = { ...config.mcpServers, ...refusedValues, harmless: node({ NODE_OPTIONS: '--max-old-space-size=512 --no-warnings', API_KEY: '$NOT_NODE_OPTIONS' }) };
    writeFileSync(file, JSON.stringify(config, null, 2));
    const report = await protectClients(fx.deps, { client: 'claude-desktop' });
    for (const name of Object.keys(refusedValues)) expect(report.entries.find((e) => e.name === name), name).toMatchObject({ outcome: 'refused' });
    expect(report.entries.find((e) => e.name === 'harmless')!.outcome).toBe('protected');
  });

  it('reads a VS Code entry\'s envFile for such variables too, resolved from the workspace folder', async () => {
    fx = createFixtureHome();
    const file = join(fx.project, '.vscode/mcp.json');
    const config = readFileSync(file, 'utf8').replace('"cwd": "${workspaceFolder}",', '"cwd": "${workspaceFolder}",\n      "envFile": "${workspaceFolder}/.env",');
    writeFileSync(file, config);
    writeFileSync(join(fx.project, '.env'), '# local settings\nAPI_BASE=https://example.test\nNODE_OPTIONS: `--import ./hook.mjs`\n');
    const refused = await protectClients(fx.deps, { client: 'vscode' });
    expect(refused.entries.find((e) => e.name === 'playwright')).toMatchObject({ outcome: 'refused', detail: expect.stringContaining(`NODE_OPTIONS (--import) in ${join(fx.project, '.env')}`) });
    expect(readFileSync(file, 'utf8')).toBe(config);
    writeFileSync(join(fx.project, '.env'), 'API_BASE=https://example.test\nNODE_OPTIONS=--max-old-space-size=512\n');
    const protectedNow = await protectClients(fx.deps, { client: 'vscode' });
    expect(protectedNow.entries.find((e) => e.name === 'playwright')!.outcome).toBe('protected');
  });

  it('writes the absolute runtime, cli path, server name and client id in each dialect', async () => {
    fx = createFixtureHome();
    await protectClients(fx.deps);
    const wrap = (name: string, client: string, ...orig: string[]) => [CLI, 'wrap', '--server', name, '--client', client, '--', ...orig];
    const desktop = JSON.parse(readFileSync(join(fx.home, '.config/Claude/claude_desktop_config.json'), 'utf8'));
    expect(desktop.mcpServers.github.command).toBe(RUNTIME);
    expect(desktop.mcpServers.github.args).toEqual(wrap('github', 'claude-desktop', 'npx', '-y', '@modelcontextprotocol/server-github'));
    expect(desktop.preferences).toEqual({ quickEntryShortcut: 'off', menuBarEnabled: false });
    const opencode = readFileSync(join(fx.home, '.config/opencode/opencode.jsonc'), 'utf8');
    expect(opencode).toContain('// keep the model pinned');
    const goose = readFileSync(join(fx.home, '.config/goose/config.yaml'), 'utf8');
    expect(goose).toContain(`cmd: ${JSON.stringify(RUNTIME)}`);
    expect(goose).toContain('type: builtin');
    const codex = readFileSync(join(fx.home, '.codex/config.toml'), 'utf8');
    expect(codex).toMatch(/\[mcp_servers\.time\]\ncommand = "\/opt\/runtime\/bin\/node"\nargs = \[.*"uvx"\]\nenabled = true/);
    expect(codex).toContain('[mcp_servers.github.env]\nGITHUB_PERSONAL_ACCESS_TOKEN');
    const zed = readFileSync(join(fx.home, '.config/zed/settings.json'), 'utf8');
    expect(zed).toContain('// the pre-2025 nested form, still found in old settings files');
  });

  it('keeps every comment line and every other top-level setting of the protected files', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    await protectClients(fx.deps);
    const after = fx.files();
    for (const [file, bytes] of before) {
      const comments = bytes.toString('utf8').split('\n').filter((l) => /^\s*(\/\/|#|\/\*)/.test(l));
      for (const c of comments) expect(after.get(file)!.toString('utf8'), file).toContain(c);
    }
  });

  it('registers each protected server with the fingerprint of its original launch', async () => {
    fx = createFixtureHome();
    await protectClients(fx.deps, { client: 'claude-desktop' });
    expect(fx.deps.registered).toEqual([
      { name: 'github', fingerprint: launchFingerprint({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'] }) },
      { name: 'filesystem', fingerprint: launchFingerprint({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/dev/Documents'] }) },
    ]);
  });

  it("says how to approve a routed launch line the registry only took as a proposal (another one is approved under its name)", async () => {
    fx = createFixtureHome();
    const report = await protectClients({ ...fx.deps, registerServer: (name) => (name === 'filesystem' ? 'proposed' : 'approved') }, { client: 'claude-desktop' });
    expect(report.entries.find((e) => e.name === 'filesystem')).toMatchObject({
      outcome: 'protected',
      detail: "another launch line is approved as 'filesystem'; this one runs once approved beside it: mcp-firewall registry approve filesystem",
    });
    expect(report.entries.find((e) => e.name === 'github')?.detail).toBeUndefined();
  });

  it('tells the proposal to the entry whose launch line it is, not to another entry of the same name in the file', async () => {
    fx = createFixtureHome();
    const path = join(fx.home, '.claude.json');
    const config = JSON.parse(readFileSync(path, 'utf8'));
    config.projects['/home/dev/webapp'].mcpServers.memory = { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory', '--other'] };
    writeFileSync(path, JSON.stringify(config, null, 2));
    const report = await protectClients(
      { ...fx.deps, registerServer: (_name, launch) => (launch.args.includes('--other') ? 'proposed' : 'approved') },
      { client: 'claude-code' },
    );
    const memory = report.entries.filter((e) => e.name === 'memory' && e.file === path);
    expect(memory).toHaveLength(2);
    const [proposed, approved] = [memory.filter((e) => e.detail?.includes('registry approve memory')), memory.filter((e) => !e.detail?.includes('registry approve'))];
    expect(proposed).toHaveLength(1);
    expect(approved).toHaveLength(1);
    expect(proposed[0]!.scope).not.toBe(approved[0]!.scope);
    expect(proposed[0]!.scope).toBe('local');
  });

  it('then unprotect gives back byte-identical files for every client', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    await protectClients(fx.deps);
    expect(changedFiles(before, fx.files()).length).toBeGreaterThan(20);
    const report = await unprotectClients(fx.deps);
    expect(report.errors).toEqual([]);
    expect(changedFiles(before, fx.files())).toEqual([]);
    // untouched since protect: the saved original bytes are written back, not re-edited
    expect(report.entries).toHaveLength(STDIO);
    expect(report.entries.every((e) => e.outcome === 'restored' && e.detail === 'original bytes')).toBe(true);
    expect(readdirSync(join(fx.dataDir, 'clients')).filter((f) => !f.startsWith('backups'))).toEqual([]);
  });

  it('is idempotent: a second protect changes no byte and reports already-protected', async () => {
    fx = createFixtureHome();
    const original = fx.files();
    await protectClients(fx.deps);
    const once = fx.files();
    const again = await protectClients(fx.deps);
    expect(changedFiles(once, fx.files())).toEqual([]);
    expect(again.entries.filter((e) => e.outcome === 'already-protected')).toHaveLength(STDIO);
    expect(again.backups).toEqual([]);
    await unprotectClients(fx.deps);
    expect(changedFiles(original, fx.files())).toEqual([]);
  });

  it('with --dry-run reports what it would do and writes nothing', async () => {
    fx = createFixtureHome();
    const before = fx.files();
    const report = await protectClients(fx.deps, { dryRun: true });
    expect(report.entries.filter((e) => e.outcome === 'would-protect')).toHaveLength(STDIO);
    expect(changedFiles(before, fx.files())).toEqual([]);
    expect(fx.deps.registered).toEqual([]);
  });

  it('refuses to write a file that changed between read and write', async () => {
    fx = createFixtureHome();
    const { files } = discover(fx.deps, 'windsurf');
    const file = join(fx.home, '.codeium/windsurf/mcp_config.json');
    const theirs = readFileSync(file, 'utf8').replace('"disabled": false', '"disabled": true');
    writeFileSync(file, theirs);
    const report = { entries: [], errors: [], backups: [] };
    await protectFiles(files, fx.deps, report);
    expect(report.errors).toEqual([expect.objectContaining({ file, message: expect.stringMatching(/changed while we were editing/) })]);
    expect(readFileSync(file, 'utf8')).toBe(theirs);
    expect(fx.deps.registered).toEqual([]);
  });

  it('leaves a corrupt file untouched with a clear error and protects the rest', async () => {
    fx = createFixtureHome();
    const file = join(fx.home, '.gemini/settings.json');
    const broken = '{ "mcpServers": { "gh": { "command": "npx", } ';
    writeFileSync(file, broken);
    const report = await protectClients(fx.deps);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]!.message).toMatch(/^invalid JSON \(\w+\) at line 1, column \d+; file left untouched$/);
    expect(readFileSync(file, 'utf8')).toBe(broken);
    expect(report.entries.filter((e) => e.outcome === 'protected').length).toBe(STDIO - 1);
  });
});

describe('unprotect', () => {
  it('restores only our spans when the client changed something else in the file', async () => {
    fx = createFixtureHome();
    const edits: [string, string, string][] = [
      ['.codeium/windsurf/mcp_config.json', '"disabled": false', '"disabled": true'],
      ['.codex/config.toml', 'notifications = true', 'notifications = false'],
      ['.continue/config.yaml', 'connectionTimeout: 30', 'connectionTimeout: 45'],
      ['.config/goose/config.yaml', 'GOOSE_MODE: smart_approve', 'GOOSE_MODE: auto'],
      ['.config/zed/settings.json', '"vim_mode": false', '"vim_mode": true'],
      ['.config/opencode/opencode.jsonc', '"timeout": 5000', '"timeout": 9000'],
    ];
    const originals = edits.map(([rel]) => readFileSync(join(fx.home, rel), 'utf8'));
    await protectClients(fx.deps);
    for (const [rel, from, to] of edits) {
      const p = join(fx.home, rel);
      writeFileSync(p, readFileSync(p, 'utf8').replace(from, to));
    }
    const report = await unprotectClients(fx.deps);
    expect(report.errors).toEqual([]);
    edits.forEach(([rel, from, to], i) => {
      expect(readFileSync(join(fx.home, rel), 'utf8'), rel).toBe(originals[i]!.replace(from, to));
    });
  });

  it('recovers the original launch from the wrap line when our bookkeeping is gone', async () => {
    fx = createFixtureHome();
    const before = scanClients(fx.deps).servers;
    await protectClients(fx.deps);
    rmSync(join(fx.dataDir, 'clients'), { recursive: true, force: true });
    const report = await unprotectClients(fx.deps);
    expect(report.errors).toEqual([]);
    const after = scanClients(fx.deps).servers;
    expect(after.every((r) => r.status === 'shadow')).toBe(true);
    expect(after.map((r) => [r.name, r.command, r.args])).toEqual(before.map((r) => [r.name, r.command, r.args]));
  });

  it('leaves an entry the user re-pointed since protecting, and restores the others', async () => {
    fx = createFixtureHome();
    const file = join(fx.home, '.kiro/settings/mcp.json');
    await protectClients(fx.deps, { client: 'kiro' });
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.mcpServers.fetch = { command: 'uvx', args: ['my-own-fetch'] };
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const report = await unprotectClients(fx.deps, { client: 'kiro' });
    expect(report.entries.find((e) => e.name === 'fetch')?.outcome).toBe('left-modified');
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers.fetch.args).toEqual(['my-own-fetch']);
    const project = JSON.parse(readFileSync(join(fx.project, '.kiro/settings/mcp.json'), 'utf8'));
    expect(project.mcpServers['kiro-local']).toEqual({ command: 'node', args: ['scripts/mcp.mjs'] });
  });
});

describe('protect on disk', () => {
  it('writes through a symlinked config so the link survives, and restores it exactly', async () => {
    const { symlinkSync, lstatSync, renameSync } = await import('node:fs');
    fx = createFixtureHome();
    const link = join(fx.home, '.junie/mcp/mcp.json');
    const target = join(fx.root, 'dotfiles-junie.json');
    renameSync(link, target);
    symlinkSync(target, link);
    const before = readFileSync(target);
    await protectClients(fx.deps, { client: 'junie' });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toContain('"wrap"');
    await unprotectClients(fx.deps, { client: 'junie' });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target).equals(before)).toBe(true);
  });
});
