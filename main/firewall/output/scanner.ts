// The keyword prefilter: every rule's anchors are folded into a few "lanes" (see
// lanes.ts), each one native regex scan, so clean text costs the same handful of scans
// however many rules there are, and a rule's own, costlier check runs only where its
// anchor occurs.
import { GENERIC_RULES } from './generic-assignment.js';
import { INJECTION_RULES } from './injection-rules.js';
import { type Lane, mixedLane } from './lanes.js';
import { LOOKBACK_RULES } from './lookback-rules.js';
import { PII_RULES } from './pii-rules.js';
import { TOKEN_RULES } from './secret-tokens.js';
import { STRUCTURED_RULES } from './structured-secrets.js';
import { tokenLane } from './token-lane.js';
import type { Finding, Rule, Trigger } from './types.js';

export const ALL_RULES: readonly Rule[] = [
  ...TOKEN_RULES, ...LOOKBACK_RULES, ...STRUCTURED_RULES, ...GENERIC_RULES, ...PII_RULES, ...INJECTION_RULES,
];

export interface Scanner {
  detect(text: string): Finding[];
  /** True when a raw JSON line holds nothing any rule could start on, even behind escapes. */
  isCleanJson(line: string): boolean;
}

// Keywords and phrases are matched in the casings people write: lower, UPPER, Title.
function casings(a: string): string[] {
  return [...new Set([a, a.toLowerCase(), a.toUpperCase(), a[0]!.toUpperCase() + a.slice(1).toLowerCase()])];
}

export function createScanner(rules: readonly Rule[] = ALL_RULES): Scanner {
  const upper: Array<[string, Rule]> = [];
  const symbol: Array<[string, Rule]> = [];
  const lower: Array<[string, Rule]> = [];
  const phrases: Array<[string, Rule]> = [];
  let jwt: Rule | undefined;
  for (const r of rules) {
    for (const a of r.anchors) {
      if (a === 'eyJ') jwt = r;
      else if (r.family === 'injection' && /^[A-Za-z]/.test(a)) phrases.push([a, r]);
      else if (r.family === 'injection') for (const v of casings(a)) upper.push([v, r]);
      else if (/^[A-Z]/.test(a)) upper.push([a, r]);
      else if (/^[a-z]/.test(a)) lower.push([a, r]);
      else symbol.push([a, r]);
    }
  }
  const on = (...t: Trigger[]) => rules.filter((r) => r.trigger && t.includes(r.trigger) && r.pattern);
  const lanes = [
    mixedLane(upper, on('invisible', 'ansi')),
    // JSON may write `/` as `\/` and any char as `\uXXXX`; either could split an anchor, so
    // a raw line holding one is always parsed. The check rides on the symbol lane's probe.
    mixedLane(symbol, on('ipv6'), false, String.raw`\\[u/]`),
    tokenLane(lower, jwt),
    mixedLane(phrases, [], true),
    ...on('assign', 'number', 'iban').map((r) => mixedLane([], [r])),
  ].filter((l): l is Lane => l !== null);

  return {
    detect(text) {
      const out: Finding[] = [];
      for (const lane of lanes) {
        const re = lane.re;
        re.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = re.exec(text)) !== null) re.lastIndex = lane.run(text, m, out);
      }
      return out.length > 1 ? mergeOverlaps(out) : out;
    },
    isCleanJson(line) {
      for (const lane of lanes) if (lane.probe.test(line)) return false;
      return true;
    },
  };
}

const RANK = { low: 0, medium: 1, high: 2 } as const;

/** Overlapping hits (a JWT inside a `token=` value) become one span with the gravest label. */
function mergeOverlaps(found: Finding[]): Finding[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of found) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) {
      if (RANK[f.severity] > RANK[last.severity]) {
        last.type = f.type;
        last.family = f.family;
        last.severity = f.severity;
      }
      if (f.end > last.end) last.end = f.end;
    } else {
      out.push({ ...f });
    }
  }
  return out;
}
