// Detector throughput and corpus scores. Run:
//   node --experimental-strip-types --no-warnings test/bench/detectors.ts
import path from 'node:path';
import { medianTime } from './median-time.ts';
import { importBundled, REPO_ROOT as root } from './import-bundled.ts';

type Output = typeof import('../../main/firewall/output/index.js');
type Gen = typeof import('../unit/output/tool-output-gen.js');
type Measure = typeof import('../unit/output/corpus-measure.js');

const api = await importBundled<Output & Gen & Measure>([
  "export * from './main/firewall/output/index.ts';",
  "export { generate } from './test/unit/output/tool-output-gen.ts';",
  "export { corporaDir, scorePii, scoreSecrets } from './test/unit/output/corpus-measure.ts';",
]);

const time = (fn: () => void, minMs = 500): number => medianTime(fn, minMs);

const KINDS = ['json', 'code', 'logs'] as const;
const MB = 1024 * 1024;
console.log('detect() on 2 MB of generated tool output, full ruleset, one core:');
for (const kind of KINDS) {
  const text = api.generate(kind, 2 * MB);
  const found = api.detect(text).length;
  const ms = time(() => api.detect(text));
  console.log(`  ${kind.padEnd(5)} ${(2 / (ms / 1000)).toFixed(0).padStart(5)} MB/s  (${found} findings)`);
}

console.log('inspectResultLine() on a 10 KB tools/call result with nothing to find:');
const probe = api.createScanner();
const cases: Array<[string, string]> = [
  ['prose', 'The build finished and all files were written to the output folder as expected. '.repeat(130).slice(0, 10 * 1024)],
  ...KINDS.map((k): [string, string] => [k, api.generate(k, 10 * 1024, 2)]),
];
for (const [name, text] of cases) {
  const line = JSON.stringify({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text }] } });
  const v = api.inspectResultLine(line);
  const us = time(() => api.inspectResultLine(line)) * 1000;
  const path = probe.isCleanJson(line) ? 'prefilter only' : 'parsed + scanned';
  console.log(`  ${name.padEnd(5)} ${us.toFixed(1).padStart(6)} µs per 10 KB  (${v.action}, ${path})`);
}

const corpora = api.corporaDir(path.join(root, 'test/unit/output'));
const s = api.scoreSecrets(path.join(corpora, 'secrets-secretlint'));
console.log(`secretlint corpus: ng found ${s.ngFound}/${s.ng} (${((100 * s.ngFound) / s.ng).toFixed(1)} %), ok flagged ${s.okFlagged}/${s.ok} (${((100 * s.okFlagged) / s.ok).toFixed(1)} %), ${s.excluded} excluded`);
console.log('presidio corpus (recall / precision):');
for (const [entity, e] of Object.entries(api.scorePii(path.join(corpora, 'pii-presidio/synth_dataset_v2.json')))) {
  console.log(`  ${entity.padEnd(14)} recall ${e.found}/${e.labels} (${((100 * e.found) / e.labels).toFixed(1)} %)  precision ${e.correct}/${e.flagged} (${((100 * e.correct) / e.flagged).toFixed(1)} %)`);
}
