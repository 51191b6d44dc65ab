// Measures poisoning detection and the hot-path cost of hashing and scanning.
// Run: npx esbuild test/bench/manifest-corpus.ts --bundle --platform=node --format=esm --outfile=/tmp/manifest-corpus.mjs && node /tmp/manifest-corpus.mjs
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkTools, findPoisoningCues, manifestDigests, toolVerdict, type CueContext } from '../../main/firewall/manifest/index.js';

const fixtures = join(process.cwd(), 'test/fixtures');
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const pct = (n: number, d: number): string => `${n}/${d} (${((100 * n) / d).toFixed(1)} %)`;

for (const file of ['corpus.json', 'holdout.json']) {
  const all = (JSON.parse(readFileSync(join(fixtures, 'poisoned-tools', file), 'utf8')) as { items: { id: string; category: string; context?: CueContext; tool: unknown }[] }).items;
  // Benign look-alikes (expect ok) are false positives when flagged, not poison caught.
  const benign = all.filter((it) => it.category === 'benign');
  if (benign.length > 0) out(`${file} benign look-alikes: flagged ${pct(benign.filter((it) => toolVerdict(findPoisoningCues(it.tool, it.context)) !== 'ok').length, benign.length)}`);
  const items = all.filter((it) => it.category !== 'benign');
  const verdicts = items.map((it) => toolVerdict(findPoisoningCues(it.tool, it.context)));
  out(`${file}: flagged ${pct(verdicts.filter((v) => v !== 'ok').length, items.length)}, blocked ${pct(verdicts.filter((v) => v === 'block').length, items.length)}`);
  for (const category of [...new Set(items.map((i) => i.category))]) {
    const idx = items.flatMap((it, i) => (it.category === category ? [i] : []));
    out(`  ${category}: flagged ${pct(idx.filter((i) => verdicts[i] !== 'ok').length, idx.length)}, blocked ${pct(idx.filter((i) => verdicts[i] === 'block').length, idx.length)}`);
  }
}

const dir = join(fixtures, 'real-manifests');
let total = 0;
let review = 0;
let block = 0;
const lists: unknown[][] = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const tools = (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { tools: unknown[] }).tools;
  lists.push(tools);
  const checks = checkTools(tools);
  const flagged = checks.filter((c) => c.verdict !== 'ok');
  total += checks.length;
  review += flagged.filter((c) => c.verdict === 'review').length;
  block += flagged.filter((c) => c.verdict === 'block').length;
  out(`${f}: ${checks.length} tools${flagged.map((c) => `; ${c.verdict} ${c.name} (${c.cues.filter((q) => q.severity !== 'low').map((q) => q.kind).join(', ')})`).join('')}`);
}
out(`real tools: ${total}; review ${pct(review, total)}; block ${pct(block, total)}`);

// Hot path: what the shim pays per tools/list.
const time = (label: string, fn: () => void): void => {
  for (let i = 0; i < 5; i++) fn();
  const runs = 50;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  const us = Number(process.hrtime.bigint() - t0) / 1000 / runs;
  out(`${label}: ${(us / 1000).toFixed(2)} ms per pass over all ${total} real tools (${(us / total).toFixed(1)} µs/tool)`);
};
time('manifestDigests', () => lists.forEach((tools) => manifestDigests({ tools })));
time('checkTools', () => lists.forEach((tools) => checkTools(tools)));
