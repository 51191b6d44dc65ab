// protect / unprotect on a large ~/.claude.json (docs/benchmarks.md §4). Run:
//   node --experimental-strip-types --no-warnings test/bench/protect-large.ts [MB] [servers] [--whole-text]
// --whole-text: every edit on the whole text, as protect edited before the per-entry windows.
// Each round writes a fresh file into a fresh temp HOME.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importBundled } from './import-bundled.ts';

type Clients = typeof import('../../main/firewall/clients/index.js');
type Gen = typeof import('../helpers/large-claude-json.js');
type Editors = typeof import('../../main/firewall/clients/formats/jsonc-editor.js') & typeof import('../../main/firewall/clients/formats/editor.js');

const api = await importBundled<Clients & Gen & Editors>(
  [
    "export * from './main/firewall/clients/index.ts';",
    "export { jsoncEditor } from './main/firewall/clients/formats/jsonc-editor.ts';",
    "export { sequentialEdits } from './main/firewall/clients/formats/editor.ts';",
    "export { largeClaudeJson } from './test/helpers/large-claude-json.ts';",
  ],
  {
    // jsonc-parser's `main` is a UMD build whose dynamic requires a bundle cannot follow.
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies (yaml) call require(); give the ESM output one.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  },
);
const dir = mkdtempSync(path.join(tmpdir(), 'mcpfw-bench-'));

const [mbArg, serversArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const mb = Number(mbArg ?? 11);
const servers = Number(serversArg ?? 60);
if (process.argv.includes('--whole-text')) api.jsoncEditor.edits = (t) => api.sequentialEdits(api.jsoncEditor, t);
const rounds = 3;
const text = api.largeClaudeJson({ bytes: mb * 1024 * 1024, servers });
console.log(`~/.claude.json: ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB, ${servers} server entries; median of ${rounds} rounds${process.argv.includes('--whole-text') ? ' (whole-text edits)' : ''}`);

const times: Record<string, number[]> = { protect: [], 'protect --move-secrets': [], unprotect: [] };
for (let round = 0; round < rounds; round++) {
  for (const move of [false, true]) {
    const home = path.join(dir, `home-${round}-${move}`);
    mkdirSync(home, { recursive: true });
    const file = path.join(home, '.claude.json');
    writeFileSync(file, text);
    const deps = {
      env: { HOME: home },
      platform: 'linux' as const,
      projectDirs: [],
      dataDir: path.join(home, 'data'),
      runtimePath: '/opt/runtime/bin/node',
      cliPath: '/opt/mcp-firewall/dist/cli.js',
      registry: { isRegistered: () => false },
      runningProcesses: () => new Set<string>(),
      remote: { port: 7337, key: 'route-key-of-this-install_0123456789abcdefg', standing: () => ({ kind: 'pending' as const }), propose: () => undefined },
      ...(move ? { moveSecret: async () => undefined } : {}),
    };
    let t0 = performance.now();
    const report = await api.protectClients(deps, { client: 'claude-code' });
    times[move ? 'protect --move-secrets' : 'protect']!.push(performance.now() - t0);
    const changed = report.entries.filter((e) => e.outcome === 'protected').length;
    if (report.errors.length > 0 || changed === 0) throw new Error(`protect: ${JSON.stringify(report.errors)} (${changed} protected)`);
    if (move) continue;
    // Not the bytes we wrote: span restore, as after Claude Code rewrote the file.
    writeFileSync(file, readFileSync(file, 'utf8').replace('"numStartups": 812', '"numStartups": 813'));
    t0 = performance.now();
    const undone = await api.unprotectClients(deps, { client: 'claude-code' });
    times.unprotect!.push(performance.now() - t0);
    if (undone.errors.length > 0) throw new Error(`unprotect: ${JSON.stringify(undone.errors)}`);
    if (readFileSync(file, 'utf8') !== text.replace('"numStartups": 812', '"numStartups": 813')) throw new Error('unprotect did not restore the file');
  }
}
rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
for (const [what, xs] of Object.entries(times)) console.log(`${what.padEnd(24)} ${(median(xs) / 1000).toFixed(2)} s   (${xs.map((x) => (x / 1000).toFixed(2)).join(' / ')})`);
