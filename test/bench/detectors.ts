// Detector throughput on generated tool output. Run:
//   node --experimental-strip-types --no-warnings test/bench/detectors.ts
// The detectors' sources use NodeNext `.js` specifiers, which type stripping cannot follow,
// so they are bundled with esbuild first, exactly as the shim bundles them.
import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate } from './corpus-gen.ts';

type Api = typeof import('../../main/firewall/output/index.ts');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = await mkdtemp(path.join(tmpdir(), 'mcpfw-bench-'));
const outfile = path.join(dir, 'output.mjs');
await build({ entryPoints: [path.join(root, 'main/firewall/output/index.ts')], bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'error' });
const api = (await import(pathToFileURL(outfile).href)) as Api;
await rm(dir, { recursive: true, force: true });

function time(fn: () => void, minMs = 400): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    n++;
  }
  return (performance.now() - t0) / n;
}

const MB = 1024 * 1024;
console.log('detect() on 2 MB of generated tool output, full ruleset:');
for (const kind of ['json', 'code', 'logs'] as const) {
  const text = generate(kind, 2 * MB);
  const found = api.detect(text).length;
  const ms = time(() => api.detect(text));
  console.log(`  ${kind.padEnd(5)} ${(2 / (ms / 1000)).toFixed(0).padStart(5)} MB/s  (${found} findings)`);
}

console.log('inspectResultLine() on a 10 KB tools/call result with nothing to find:');
for (const kind of ['json', 'code', 'logs'] as const) {
  const line = JSON.stringify({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: generate(kind, 10 * 1024, 2) }] } });
  const v = api.inspectResultLine(line);
  const ms = time(() => api.inspectResultLine(line));
  const clean = v.action === 'PASS' && v.findings.length === 0;
  const fast = api.createScanner().isCleanJson(line);
  console.log(`  ${kind.padEnd(5)} ${(ms * 1000).toFixed(1).padStart(6)} µs per 10 KB  (${clean ? 'PASS' : v.action}, ${fast ? 'prefilter only' : 'parsed'})`);
}
