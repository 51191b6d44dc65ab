// What a result the output stage rewrites costs, beside its parts. Run:
//   node --experimental-strip-types --no-warnings test/bench/redacted-line.ts
// A ~1.4 MB structured result holding one token in its text: it leaves redacted, so it is
// re-serialised, and its numbers must leave as the server wrote them (exact-numbers.ts).
import { medianTime } from './median-time.ts';
import { importBundled } from './import-bundled.ts';

type Output = typeof import('../../main/firewall/output/index.js');
type Scan = typeof import('../../main/firewall/jsonrpc/json-scan.js');
type Exact = typeof import('../../main/firewall/jsonrpc/exact-numbers.js');

const api = await importBundled<Output & Scan & Exact>([
  "export * from './main/firewall/output/index.ts';",
  "export { numbersAsRead } from './main/firewall/jsonrpc/json-scan.ts';",
  "export { parseKeepingNumbers } from './main/firewall/jsonrpc/exact-numbers.ts';",
]);

const time = (fn: () => void, minMs = 1500): number => medianTime(fn, minMs);

const TOKEN = 'ghp_' + 'R8x2mQ7vL4nK9pW3sT6yB1cD5fH0jZ2aE4gU';
/** 20 000 rows whose `score` is written `score` (`0.5` reads back as written, `1.0` does not). */
function line(score: string): string {
  const rows = Array.from({ length: 20000 }, (_, i) => ({ id: i, name: `item ${i}`, score: 0, ratio: 0, tags: ['a', 'b'] }));
  const content = JSON.stringify({ rows }).replaceAll('"score":0', `"score":${score}`);
  return `{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"note ${TOKEN}"}],"structuredContent":${content}}}`;
}

for (const score of ['0.5', '1.0']) {
  const l = line(score);
  const action = api.inspectResultLine(l).action;
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(`${(l.length / 1024).toFixed(0)} KB, scores written ${score} (${action}):`);
  console.log(`  inspectResultLine ${f(time(() => api.inspectResultLine(l)))}  JSON.parse ${f(time(() => JSON.parse(l)))}  numbersAsRead ${f(time(() => api.numbersAsRead(l)))}  parseKeepingNumbers ${f(time(() => api.parseKeepingNumbers(l)))}`);
}
