import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadState } from '../../../main/firewall/clients/bookkeeping.js';
import { sequentialEdits } from '../../../main/firewall/clients/formats/editor.js';
import { jsoncEditor } from '../../../main/firewall/clients/formats/jsonc-editor.js';
import { protectClients, unprotectClients, type EditDeps, type EditReport } from '../../../main/firewall/clients/index.js';
import { largeClaudeJson } from '../../helpers/large-claude-json.js';

// The JSONC editor makes each entry's edits on that entry's own lines of a file it parsed
// once. Before, every edit was made on the whole text (parsed again each time). These runs
// hold the two against each other on the same files: every byte protect, the re-pointing of
// stale routes and wrap lines, and unprotect write must be the same.

let root: string;
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

interface Run {
  texts: string[];
  reports: EditReport[];
  states: unknown[];
}

/** protect (routing remote entries, moving env secrets), then re-point, then unprotect; what each step leaves. */
async function run(text: string, mode: 'windows' | 'whole text'): Promise<Run & { wholeTextEdits: number }> {
  const edits = vi.spyOn(jsoncEditor, 'edits');
  if (mode === 'whole text') edits.mockImplementation((t) => sequentialEdits(jsoncEditor, t));
  const set = vi.spyOn(jsoncEditor, 'set');
  const remove = vi.spyOn(jsoncEditor, 'remove');
  // The same paths for both runs: they are in the wrap lines, so in the hashes kept.
  const dir = join(root, 'run');
  rmSync(dir, { recursive: true, force: true });
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const install = (rel: string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), '');
    return join(dir, rel);
  };
  const node22 = install('nvm/v22/bin/node');
  const node24 = install('nvm/v24/bin/node');
  const cli = install('checkout/dist/cli.js');
  const file = join(home, '.claude.json');
  writeFileSync(file, text);
  const deps = (runtimePath: string, port: number): EditDeps => ({
    env: { HOME: home },
    platform: 'linux',
    projectDirs: [],
    dataDir: join(dir, 'data'),
    runtimePath,
    cliPath: cli,
    registry: { isRegistered: () => false },
    runningProcesses: () => new Set(),
    remote: { port, key: 'route-key-of-this-install_0123456789abcdefg', standing: () => ({ kind: 'pending' }), propose: () => undefined },
    moveSecret: async () => undefined,
    now: () => new Date('2026-11-24T12:00:00Z'),
  });
  const out: Run = { texts: [], reports: [], states: [] };
  const step = (report: EditReport) => {
    out.reports.push({ ...report, backups: [] });
    out.texts.push(readFileSync(file, 'utf8'));
    out.states.push(loadState(join(dir, 'data'), file) ?? null);
  };
  // Claude Code writes the file between our runs: what protect meets is never its own output.
  const clientWrites = () => writeFileSync(file, readFileSync(file, 'utf8').replace(/"numStartups": (\d+)/, (_, n) => `"numStartups": ${Number(n) + 1}`));

  step(await protectClients(deps(node22, 7337), { client: 'claude-code' }));
  clientWrites();
  rmSync(join(dir, 'nvm/v22'), { recursive: true });
  step(await protectClients(deps(node24, 7338), { client: 'claude-code' }));
  clientWrites();
  step(await unprotectClients(deps(node24, 7338), { client: 'claude-code' }));
  const wholeTextEdits = set.mock.calls.length + remove.mock.calls.length;
  vi.restoreAllMocks();
  return { ...out, wholeTextEdits };
}

async function expectSameEdits(text: string): Promise<Run & { wholeTextEdits: number }> {
  root = mkdtempSync(join(tmpdir(), 'mcpfw-large-'));
  const whole = await run(text, 'whole text');
  const windows = await run(text, 'windows');
  const [a, b] = [whole, windows];
  expect(b.texts).toHaveLength(3);
  // Compared as booleans: a failing toEqual on MBs of text prints MBs of diff.
  for (let i = 0; i < a.texts.length; i++) expect(b.texts[i] === a.texts[i], `step ${i + 1}: file text`).toBe(true);
  expect(b.reports).toEqual(a.reports);
  expect(b.states).toEqual(a.states);
  return windows;
}

const servers = 60;
const realistic = largeClaudeJson({ bytes: 1024 * 1024, servers });
// The variants are smaller: the whole-text editing they are held against is slow.
const small = largeClaudeJson({ bytes: 200 * 1024, servers: 24, serverProjects: 6 });

describe('protect on a large ~/.claude.json edits each entry on its own lines', () => {
  it('writes byte for byte what editing the whole text wrote, for every kind of entry, without editing the whole text', async () => {
    const windows = await expectSameEdits(realistic);
    expect(windows.wholeTextEdits).toBe(0);
    const [protect, repoint, unprotect] = windows.reports;
    const count = (r: EditReport | undefined, outcome: string) => r!.entries.filter((e) => e.outcome === outcome).length;
    expect(protect!.errors).toEqual([]);
    expect(count(protect, 'protected')).toBe(servers);
    // stdio entries with env secrets, remote ones with an Authorization header: 4 kinds in 8
    expect(protect!.entries.filter((e) => e.detail?.includes('moved 1 secret(s)'))).toHaveLength(servers / 2);
    expect(count(repoint, 'repointed')).toBe(servers);
    expect(count(unprotect, 'restored')).toBe(servers);
    // The client's own writes survive unprotect; the secrets stay in the keychain.
    expect(windows.texts[2]).toContain('"numStartups": 814');
    expect(windows.texts[2]).not.toContain('ghp_');
  }, 300_000); // heavy, not timed: 56-83 s on a busy two-core box

  // `windows`: whether every entry is edited on its own lines; else, from the first entry
  // where that could differ, the whole text is (same bytes, the old cost).
  it.each([
    ['CRLF line ends', small.replaceAll('\n', '\r\n'), true],
    ['CRLF after the first line only', small.replace('\n', '\r\n'), true],
    ['tabs', small.replace(/^( +)/gm, (m) => '\t'.repeat(m.length / 2)), true],
    ['a BOM, comments, and four-space indents', '\uFEFF' + small.replace(/^( +)/gm, '$1$1').replace(/("mcpServers": \{)\n/g, '$1 // kept by hand\n').replace(/"command": "uvx"/g, '"command": /* pinned */ "uvx"'), true],
    ['one line (every entry shares it)', JSON.stringify(JSON.parse(small)), false],
    ['the top-level servers on one line, the projects indented', reshapeTopLevel(small), false],
    ['keys written twice (inside an entry, and on the way to one)', duplicateKeys(small), false, ['duplicate key "args"; left as is', ...Array<string>(4).fill('duplicate key "mcpServers"; left as is')]],
    ['no indent before the first server (the layout of inserted text is not yet decided)', unindentedTop(small), false],
  ])('writes what editing the whole text wrote: %s', async (_, text, windows, unsupported: string[] = []) => {
    const run = await expectSameEdits(text);
    expect(run.wholeTextEdits === 0).toBe(windows);
    expect(run.reports[0]!.errors).toEqual([]);
    expect(run.reports[0]!.entries.filter((e) => e.outcome === 'unsupported').map((e) => e.detail)).toEqual(unsupported);
  }, 120_000);
});

function reshapeTopLevel(text: string): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  return JSON.stringify({ ...doc, mcpServers: '@@' }, null, 2).replace('"@@"', JSON.stringify(doc.mcpServers)) + '\n';
}

function duplicateKeys(text: string): string {
  // An entry with its args twice (the client runs the last): left alone, though its command was already set.
  const out = text.replace(/( +)"command": "uvx",\n/, '$1"command": "uvx",\n$1"args": [],\n');
  // A project whose mcpServers is written twice: the client reads the second, the editor would find the first.
  return out.replace(/\n( {6})"mcpServers": \{\n/, (m, indent: string) => `\n${indent}"mcpServers": {},${m}`);
}

function unindentedTop(text: string): string {
  const projects = text.indexOf('\n  "projects"');
  return text.slice(0, projects).replace(/^ +/gm, '') + text.slice(projects);
}
