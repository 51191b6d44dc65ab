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
// Title case capitalises the first letter, not the first char: `<Important>`, `</System>`.
function casings(a: string): string[] {
  const i = Math.max(0, a.search(/[A-Za-z]/));
  const title = a.slice(0, i) + a.charAt(i).toUpperCase() + a.slice(i + 1).toLowerCase();
  return [...new Set([a, a.toLowerCase(), a.toUpperCase(), title])];
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
  const upperLane = mixedLane(upper, on('invisible', 'ansi'));
  // JSON may write `/` as `\/` and any char as `\uXXXX`; either could split an anchor, so
  // a raw line holding one is always parsed. The check rides on the symbol lane's probe.
  const symbolLane = mixedLane(symbol, on('ipv6'), false, String.raw`\\[u/]`);
  const tokenLane_ = tokenLane(lower, jwt);
  const phraseLane = mixedLane(phrases, [], true);
  const patternLanes = (t: Trigger) => on(t).map((r) => mixedLane([], [r]));
  const [assignLanes, numberLanes, ibanLanes] = [patternLanes('assign'), patternLanes('number'), patternLanes('iban')];
  const lanes = [upperLane, symbolLane, tokenLane_, phraseLane, ...assignLanes, ...numberLanes, ...ibanLanes].filter((l): l is Lane => l !== null);
  // On raw lines the lanes' probes run merged into a few regexes: each pass costs 5-15 µs
  // per 10 KB whatever it looks for, and lanes whose first chars are alike (symbols; letters)
  // share one pass almost for free. Uppercase and digit starts stay apart: merged with
  // the rest they slow V8's skip loop more than a pass of their own costs. The letter lanes
  // (keywords, IBAN country codes, injection phrases, all any-case) run case-sensitively on
  // the line folded to lowercase, which V8 does in ~1 µs per 10 KB and is cheaper than `i`.
  const probes = [
    mergedProbe([upperLane], false),
    mergedProbe([symbolLane, tokenLane_], false),
    mergedProbe([...assignLanes, ...ibanLanes, phraseLane], true),
    mergedProbe(numberLanes, false),
  ].filter((p) => p !== null);

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
      let lower: string | null | undefined;
      const folded = () => {
        if (lower === undefined) {
          const l = line.toLowerCase();
          lower = l.length === line.length ? l : null; // a few letters grow when folded: offsets would drift
        }
        return lower;
      };
      for (const p of probes) if (p(line, folded)) return false;
      return true;
    },
  };
}

type Probe = (line: string, folded: () => string | null) => boolean;

// Folding the text folds the patterns too; an uppercase escape (`\S`, `\D`) would change meaning.
function foldSource(source: string): string {
  if (/\\[A-Z]/.test(source.replace(/\\\\/g, ''))) throw new Error(`cannot fold probe ${source}`);
  return source.toLowerCase();
}

/**
 * One regex for several lanes' probes; true when the raw line needs a closer look. A case-
 * insensitive lane makes the whole merge case-insensitive, which only widens the others.
 * Lanes that can clear a hit (`verify`) go last, so a hit they clear at one position never
 * hides an earlier alternative that would also match there.
 */
function mergedProbe(lanes: ReadonlyArray<Lane | null | undefined>, fold: boolean): Probe | null {
  const group = lanes.filter((l): l is Lane => l != null);
  if (group.length === 0) return null;
  const ordered = [...group.filter((l) => !l.verify), ...group.filter((l) => l.verify)];
  const flags = [...new Set(ordered.flatMap((l) => [...l.probe.flags]))].join('');
  const source = ordered.map((l, i) => `(?<p${i}>${l.probe.source})`).join('|');
  const verifying = ordered.some((l) => l.verify);
  const exact = new RegExp(source, `g${flags}`);
  const lowered = fold ? new RegExp(foldSource(source), 'g') : null;
  return (line, folded) => {
    const lower = lowered ? folded() : null;
    const re = lower !== null ? lowered! : exact;
    const hay = lower ?? line;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(hay)) !== null) {
      if (!verifying) return true;
      const lane = ordered.find((_, i) => m!.groups?.[`p${i}`] !== undefined);
      if (!lane?.verify || lane.verify(line, m.index, m[0])) return true;
      re.lastIndex = m.index + 1;
    }
    return false;
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
