import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadState } from '../../../main/firewall/clients/bookkeeping.js';
import { decodeWrapLaunch, protectClients, repointStaleRoutes, scanClients, unprotectClients, type EditDeps, type EditReport } from '../../../main/firewall/clients/index.js';
import { editText, scanText } from '../../../main/firewall/clients/report-text.js';
import { createFixtureHome, type FixtureHome } from './fixture-home.js';

// Two installs on disk, as nvm and a checkout leave them: protect ran with the first,
// then the user upgraded Node (the old binary is deleted) or moved the checkout.
let fx: FixtureHome;
afterEach(() => fx.cleanup());

const DESKTOP = '.config/Claude/claude_desktop_config.json';
const LAUNCHES = {
  github: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'] },
  filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/dev/Documents'] },
};

/** An executable-looking file at `rel` under the temp root; returns its absolute path. */
function install(rel: string): string {
  const path = join(fx.root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
  return path;
}

function setup(): { node22: string; node24: string; cli: string; movedCli: string } {
  fx = createFixtureHome();
  return {
    node22: install('nvm/versions/node/v22.13.0/bin/node'),
    node24: install('nvm/versions/node/v24.1.0/bin/node'),
    cli: install('checkout/dist/cli.js'),
    movedCli: install('src/mcp-firewall/dist/cli.js'),
  };
}

const using = (runtimePath: string, cliPath: string, extra: Partial<EditDeps> = {}): EditDeps => ({ ...fx.deps, runtimePath, cliPath, ...extra });
const desktop = () => readFileSync(join(fx.home, DESKTOP), 'utf8');
const servers = () => (JSON.parse(desktop()) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers;
const entry = (report: EditReport, name: string, client = 'claude-desktop') => report.entries.find((e) => e.client === client && e.name === name);
const wrapArgs = (cli: string, name: string, launch: { command: string; args: string[] }) => [cli, 'wrap', '--server', name, '--client', 'claude-desktop', '--', launch.command, ...launch.args];

describe('protect re-points the wrap lines it wrote whose runtime or cli is gone', () => {
  it('moves every dialect to the runtime that runs now when Node was upgraded away, keeping the launch after wrap, and unprotect restores every file byte for byte', async () => {
    const { node22, node24, cli } = setup();
    const before = fx.files();
    const first = await protectClients(using(node22, cli));
    expect(first.errors).toEqual([]);
    const wrapped = first.entries.filter((e) => e.outcome === 'protected').map((e) => `${e.client}/${e.name}`).sort();
    const approvals = fx.deps.registered.length;
    rmSync(join(fx.root, 'nvm/versions/node/v22.13.0'), { recursive: true });

    const second = await protectClients(using(node24, cli));
    expect(second.errors).toEqual([]);
    const repointed = second.entries.filter((e) => e.outcome === 'repointed');
    expect(repointed.map((e) => `${e.client}/${e.name}`).sort()).toEqual(wrapped);
    for (const e of repointed) {
      expect(e.detail).toBe(`${node22} no longer exists; now launches ${node24} ${cli}`);
      expect(e.route).toEqual({ from: `${node22} ${cli}`, to: `${node24} ${cli}` });
    }
    expect(editText(second)).toContain(`${'re-pointed'.padEnd(22)} claude-desktop  github  (${join(fx.home, DESKTOP)}): ${node22} no longer exists`);
    // Server name, client id and the original launch are those protect wrote the first time…
    expect(servers().github).toMatchObject({ command: node24, args: wrapArgs(cli, 'github', LAUNCHES.github) });
    expect(decodeWrapLaunch(servers().filesystem!)!.original).toEqual(LAUNCHES.filesystem);
    // …so the registry's pin (the launch after `--`) still holds, and nothing is approved anew.
    expect(fx.deps.registered).toHaveLength(approvals);
    const github = loadState(fx.dataDir, join(fx.home, DESKTOP))!.entries.find((e) => e.name === 'github')!;
    expect(github).toMatchObject({ original: LAUNCHES.github, inserted: { command: node24, args: wrapArgs(cli, 'github', LAUNCHES.github) } });

    // Settled: nothing more to move, and scan has nothing to say.
    const settled = fx.files();
    const third = await protectClients(using(node24, cli));
    expect(fx.files()).toEqual(settled);
    expect(third.backups).toEqual([]);
    expect(entry(third, 'github')).toEqual(expect.objectContaining({ outcome: 'already-protected' }));
    expect(scanClients(using(node24, cli)).servers.filter((r) => r.staleWrap)).toEqual([]);

    const undone = await unprotectClients(using(node24, cli));
    expect(undone.errors).toEqual([]);
    expect(entry(undone, 'github')).toMatchObject({ outcome: 'restored', detail: 'original bytes' });
    expect(fx.files()).toEqual(before);
  });

  it('moves a wrap line whose cli.js moved (known from the bookkeeping only), and a later span restore still gives the original launch text', async () => {
    const { node24, cli, movedCli } = setup();
    const original = desktop();
    await protectClients(using(node24, cli), { client: 'claude-desktop' });
    rmSync(join(fx.root, 'checkout'), { recursive: true });

    const report = await protectClients(using(node24, movedCli), { client: 'claude-desktop' });
    expect(report.errors).toEqual([]);
    expect(entry(report, 'filesystem')).toMatchObject({ outcome: 'repointed', detail: `${cli} no longer exists; now launches ${node24} ${movedCli}` });
    expect(servers().filesystem).toEqual({ command: node24, args: wrapArgs(movedCli, 'filesystem', LAUNCHES.filesystem) });

    // The client changes something else: only span restore is honest now, and it puts back our spans' original text.
    writeFileSync(join(fx.home, DESKTOP), desktop().replace('"menuBarEnabled": false', '"menuBarEnabled": true'));
    const undone = await unprotectClients(using(node24, movedCli), { client: 'claude-desktop' });
    expect(undone.errors).toEqual([]);
    expect(undone.entries.map((e) => `${e.name}:${e.outcome}`).sort()).toEqual(['filesystem:restored', 'github:restored']);
    expect(desktop()).toBe(original.replace('"menuBarEnabled": false', '"menuBarEnabled": true'));
  });

  it('moves only wrap lines whose runtime or cli is gone: two installs side by side, both on disk, do not take turns', async () => {
    const { node22, node24, cli, movedCli } = setup();
    await protectClients(using(node22, cli), { client: 'claude-desktop' });
    await protectClients(using(node24, movedCli), { client: 'kiro' });
    const files = fx.files();
    for (const [runtime, cliPath] of [[node24, movedCli], [node22, cli]] as const) {
      for (const client of ['claude-desktop', 'kiro']) {
        const report = await protectClients(using(runtime, cliPath), { client });
        const wraps = report.entries.filter((e) => e.outcome !== 'remote-not-routed');
        expect(wraps.length).toBeGreaterThan(0);
        expect(wraps.every((e) => e.outcome === 'already-protected' && e.detail === undefined)).toBe(true);
      }
      expect((await repointStaleRoutes(using(runtime, cliPath))).entries).toEqual([]);
    }
    expect(fx.files()).toEqual(files);

    // Once the first install's Node is gone, only its entries move; kiro's stay on the second install.
    rmSync(node22);
    const kiro = () => readFileSync(join(fx.home, '.kiro/settings/mcp.json'), 'utf8');
    const kiroBytes = kiro();
    const report = await protectClients(using(node24, movedCli), { client: 'claude-desktop' });
    expect(report.entries.map((e) => `${e.name}:${e.outcome}`).sort()).toEqual(['filesystem:repointed', 'github:repointed']);
    expect(servers().github).toMatchObject({ command: node24, args: wrapArgs(movedCli, 'github', LAUNCHES.github) });
    expect((await protectClients(using(node24, movedCli), { client: 'kiro' })).entries.filter((e) => e.outcome === 'repointed')).toEqual([]);
    expect(kiro()).toBe(kiroBytes);
  });

  it('never touches a look-alike wrap line it did not write (unknown cli, no bookkeeping), even with its paths gone, and moves ours beside it', async () => {
    const { node22, node24, cli } = setup();
    const lookalike = { command: join(fx.root, 'gone/bin/node'), args: [join(fx.root, 'gone/cli.js'), 'wrap', '--server', 'github', '--client', 'claude-desktop', '--', 'npx', 'evil'] };
    const doc = JSON.parse(desktop()) as { mcpServers: Record<string, unknown> };
    doc.mcpServers.github = lookalike;
    writeFileSync(join(fx.home, DESKTOP), JSON.stringify(doc, null, 2));
    await protectClients(using(node22, cli), { client: 'claude-desktop' });
    rmSync(node22);

    // The engine's start moves ours and says nothing of the look-alike…
    const atStart = await repointStaleRoutes(using(node24, cli));
    expect(atStart.entries.map((e) => `${e.name}:${e.outcome}`)).toEqual(['filesystem:repointed']);
    expect(servers().filesystem!.command).toBe(node24);
    expect(servers().github).toEqual(lookalike);
    // …and neither does protect.
    const report = await protectClients(using(node24, cli), { client: 'claude-desktop' });
    expect(entry(report, 'github')).toEqual(expect.objectContaining({ outcome: 'unsupported', detail: expect.stringContaining(`a wrap line of an unknown cli (${join(fx.root, 'gone/cli.js')})`) }));
    expect(servers().github).toEqual(lookalike);
    const row = scanClients(using(node24, cli), { client: 'claude-desktop' }).servers.find((r) => r.name === 'github')!;
    expect(row).toMatchObject({ status: 'shadow', note: 'launches a wrap shim from an unknown cli path' });
    expect(row.staleWrap).toBeUndefined();
  });

  it('moves one of ours whose bookkeeping is lost (its cli is this one), and unprotect then restores the launch from the wrap line, not the dead one', async () => {
    const { node22, node24, cli } = setup();
    await protectClients(using(node22, cli), { client: 'claude-desktop' });
    rmSync(join(fx.dataDir, 'clients'), { recursive: true });
    rmSync(node22);
    const report = await protectClients(using(node24, cli), { client: 'claude-desktop' });
    expect(report.entries.map((e) => `${e.name}:${e.outcome}`).sort()).toEqual(['filesystem:repointed', 'github:repointed']);
    expect(servers().github).toMatchObject({ command: node24, args: wrapArgs(cli, 'github', LAUNCHES.github) });
    // The bytes before this run hold the dead runtime: they are no original to restore.
    expect(loadState(fx.dataDir, join(fx.home, DESKTOP))!.originalHash).toBeUndefined();
    const undone = await unprotectClients(using(node24, cli), { client: 'claude-desktop' });
    expect(undone.errors).toEqual([]);
    expect(servers()).toMatchObject({ github: LAUNCHES.github, filesystem: LAUNCHES.filesystem });
  });

  it('with --dry-run says what it would move and writes nothing; it never moves to a runtime that does not exist either', async () => {
    const { node22, node24, cli } = setup();
    await protectClients(using(node22, cli), { client: 'claude-desktop' });
    renameSync(node22, `${node22}.old`);
    const files = fx.files();
    const dry = await protectClients(using(node24, cli), { client: 'claude-desktop', dryRun: true });
    expect(entry(dry, 'github')).toMatchObject({ outcome: 'would-repoint', route: { from: `${node22} ${cli}`, to: `${node24} ${cli}` } });
    expect(dry.backups).toEqual([]);
    const nowhere = join(fx.root, 'nvm/versions/node/v9/bin/node');
    const stuck = await protectClients(using(nowhere, cli), { client: 'claude-desktop' });
    expect(entry(stuck, 'github')).toMatchObject({ outcome: 'already-protected', detail: expect.stringContaining(`left as is: this protect's own ${nowhere} does not exist either`) });
    expect(fx.files()).toEqual(files);
  });

  it('repointStaleRoutes (the engine start) moves our dead wrap lines and protects nothing new', async () => {
    const { node22, node24, cli } = setup();
    await protectClients(using(node22, cli), { client: 'claude-desktop' });
    rmSync(node22);
    const before = fx.files();
    const report = await repointStaleRoutes(using(node24, cli));
    expect(report.errors).toEqual([]);
    expect(report.entries.map((e) => `${e.client}/${e.name}:${e.outcome}`).sort()).toEqual(['claude-desktop/filesystem:repointed', 'claude-desktop/github:repointed']);
    const after = fx.files();
    for (const [file, bytes] of before) if (!file.endsWith(DESKTOP)) expect(after.get(file), file).toEqual(bytes);
    expect(servers().github!.command).toBe(node24);
  });
});

describe('scan reports wrap lines whose runtime or cli is gone', () => {
  it('notes the missing path on our rows, counts them, and says protect re-points them', async () => {
    const { node22, node24, cli } = setup();
    await protectClients(using(node22, cli), { client: 'claude-desktop' });
    rmSync(node22);
    const result = scanClients(using(node24, cli), { client: 'claude-desktop' });
    const row = result.servers.find((r) => r.name === 'github')!;
    expect(row).toMatchObject({
      status: 'protected',
      command: 'npx',
      staleWrap: { missing: [node22] },
      note: `launches ${node22}, which no longer exists (a Node upgrade, a moved checkout), so its client cannot start it: run mcp-firewall protect to re-point it`,
    });
    expect(scanText(result)).toContain(`note: launches ${node22}, which no longer exists`);
    expect(scanText(result)).toContain('; 2 wrap lines whose runtime or cli is gone');
  });
});
