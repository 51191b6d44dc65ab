// The keyword prefilter: every rule's anchors are folded into a few "lanes" (see
// lanes.ts), each one native regex scan, so clean text costs the same handful of scans
// however many rules there are, and a rule's own, costlier check runs only where its
// anchor occurs.
import { AWS_SECRET_RULES } from './aws-secret-key.js';
import { foldMayReveal } from './fold-triggers.js';
import { foldedView, mapFolded } from './folded-view.js';
import { GENERIC_RULES } from './generic-assignment.js';
import { INJECTION_RULES } from './injection-rules.js';
import { type Lane, mixedLane } from './lanes.js';
import { LOOKBACK_RULES } from './lookback-rules.js';
import { ANCHOR_GAP } from './phrase-gap.js';
import { PII_RULES } from './pii-rules.js';
import { scanEnds, scanStarts } from './scan-memo.js';
import { NEXT_TEXT_ITEM, splitMayHide } from './split-items.js';
import { TOKEN_RULES } from './secret-tokens.js';
import { STRUCTURED_RULES } from './structured-secrets.js';
import { tokenLane } from './token-lane.js';
import type { Finding, Rule, Trigger } from './types.js';

export const ALL_RULES: readonly Rule[] = [
  ...TOKEN_RULES, ...AWS_SECRET_RULES, ...LOOKBACK_RULES, ...STRUCTURED_RULES, ...GENERIC_RULES, ...PII_RULES, ...INJECTION_RULES,
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
  const phraseLane = mixedLane(phrases, [], true, undefined, ANCHOR_GAP);
  const patternLanes = (t: Trigger) => on(t).map((r) => mixedLane([], [r]));
  const [assignLanes, numberLanes, ibanLanes] = [patternLanes('assign'), patternLanes('number'), patternLanes('iban')];
  const lanes = [upperLane, symbolLane, tokenLane_, phraseLane, ...assignLanes, ...numberLanes, ...ibanLanes].filter((l): l is Lane => l !== null);
  // On raw lines the lanes' probes run merged into a few regexes. A pass costs 2-15 µs per
  // 10 KB: little when V8 can skip ahead on a rare char at some offset of every alternative,
  // more the more positions it must try. So probes are grouped by how they start:
  // uppercase anchors; symbols (`:` `-` `.` `_` `@` …); letters (keywords, `dapi`, injection
  // phrases, all any-case, run case-sensitively on the line folded to lowercase, which V8 does
  // in ~1 µs per 10 KB and is cheaper than `i`); digits; and IBANs alone, whose probe is laid
  // out so that every alternative has its two check digits at the same offset — merged with
  // anything else, that skip is lost and the IBAN probe costs 7-11 µs instead of ~3.
  const probes = [
    // A text item after another: what the model reads joined is probed too (split-items.ts). Its
    // probe starts on `}`: in the symbol pass that cost a small clean line 11 %, here nothing.
    mergedProbe([upperLane, { probe: NEXT_TEXT_ITEM, verify: (line) => splitMayHide(line, isCleanJson) }], false),
    mergedProbe([symbolLane, tokenLane_], false),
    mergedProbe([...assignLanes, tokenLane_?.plainProbe && { probe: tokenLane_.plainProbe }, phraseLane], true),
    mergedProbe(numberLanes, false),
    mergedProbe(ibanLanes, false),
  ].filter((p) => p !== null);

  const scan = (text: string): Finding[] => {
    const out: Finding[] = [];
    for (const lane of lanes) {
      const re = lane.re;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) re.lastIndex = lane.run(text, m, out);
    }
    return out;
  };

  return {
    detect(text) {
      scanStarts();
      try {
        const out = scan(text);
        // Invisible chars, Unicode spaces or full-width forms may hide a finding (folded-view.ts).
        const view = foldedView(text);
        // A loop, not push(...): a 3 MB export holds 400,000 addresses, past what a call's arguments may hold.
        if (view) for (const f of mapFolded(scan(view.text), view)) out.push(f);
        return out.length > 1 ? mergeOverlaps(out) : out;
      } finally {
        scanEnds();
      }
    },
    isCleanJson,
  };

  function isCleanJson(line: string): boolean {
    scanStarts();
    try {
      return lineIsClean(line);
    } finally {
      scanEnds();
    }
  }

  function lineIsClean(line: string): boolean {
    // A probe may look one char back from its hit (the IBAN probe does). In a JSON line only
    // a bare string can have text at offset 1 with nothing before it; it is not a message
    // anyway, so it is simply parsed.
    if (line.charCodeAt(0) === 34) return false;
    let lower: string | null | undefined;
    const folded = () => {
      if (lower === undefined) {
        const l = line.toLowerCase();
        lower = l.length === line.length ? l : null; // a few letters grow when folded: offsets would drift
      }
      return lower;
    };
    for (const p of probes) if (p(line, folded)) return false;
    // Full-width forms, or a Unicode space between digits, may hide what the probes look for.
    return !foldMayReveal(line);
  }
}

type Probe = (line: string, folded: () => string | null) => boolean;

// V8 compiles a regex to machine code on its first long subject (or its second use) and
// picks the offset it skips ahead on from the char frequencies of a sample of *that* subject.
// Compiled against a log line, the digit probe came out 2x slower on every later input
// (10 against 5 µs per 10 KB) than compiled against prose. Priming each probe at scanner
// creation on text holding none of the probes' chars makes the choice ours, not the first
// response's. Both string widths get their own machine code, so both are primed.
const PRIMERS = ['\u0001'.repeat(1024), `\u0100${'\u0001'.repeat(1023)}`];
function prime(re: RegExp): void {
  for (const s of PRIMERS) {
    re.lastIndex = 0;
    re.exec(s);
  }
  re.lastIndex = 0;
}
type ProbePart = Pick<Lane, 'probe' | 'verify'>;

// Folding the text folds the patterns too; an uppercase escape (`\S`, `\D`) would change meaning.
function foldSource(source: string): string {
  if (/\\[A-Z]/.test(source.replace(/\\\\/g, ''))) throw new Error(`cannot fold probe ${source}`);
  return source.toLowerCase();
}

/**
 * One regex for several lanes' probes; true when the raw line needs a closer look. A case-
 * insensitive lane makes the whole merge case-insensitive, which only widens the others.
 * The merged regex has no capture groups (one per lane cost 1-3 µs per 10 KB on every
 * line). On a hit, when some lanes can clear one (`verify`), sticky copies tell which lanes
 * match at that offset: any lane without `verify` keeps the hit, and so does any lane whose
 * `verify` accepts its own match there.
 */
function mergedProbe(parts: ReadonlyArray<ProbePart | null | undefined | '' | false>, fold: boolean): Probe | null {
  const group = parts.filter((l): l is ProbePart => !!l);
  if (group.length === 0) return null;
  const flags = [...new Set(group.flatMap((l) => [...l.probe.flags]))].filter((f) => f !== 'g' && f !== 'y');
  const alt = (ls: readonly ProbePart[]) => ls.map((l) => `(?:${l.probe.source})`).join('|');
  const build = (source: string, mode: 'g' | 'y') => ({
    exact: new RegExp(source, mode + flags.join('')),
    lowered: fold ? new RegExp(foldSource(source), mode + flags.filter((f) => f !== 'i').join('')) : null,
  });
  const plain = group.filter((l) => !l.verify);
  const checked = group.filter((l) => l.verify);
  const merged = build(alt([...plain, ...checked]), 'g');
  const plainAt = checked.length && plain.length ? build(alt(plain), 'y') : null;
  const checkedAt = checked.map((l) => ({ verify: l.verify!, ...build(l.probe.source, 'y') }));
  prime(merged.exact);
  if (merged.lowered) prime(merged.lowered);
  return (line, folded) => {
    const lower = fold ? folded() : null;
    const pick = (r: { exact: RegExp; lowered: RegExp | null }) => (lower !== null ? r.lowered! : r.exact);
    const hay = lower ?? line;
    const re = pick(merged);
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(hay)) !== null) {
      if (checked.length === 0) return true;
      const at = m.index;
      if (plainAt) {
        const p = pick(plainAt);
        p.lastIndex = at;
        if (p.test(hay)) return true;
      }
      for (const c of checkedAt) {
        const r = pick(c);
        r.lastIndex = at;
        const hit = r.exec(hay);
        if (hit && c.verify(line, at, hit[0])) return true;
      }
      re.lastIndex = at + 1;
    }
    return false;
  };
}

const RANK = { low: 0, medium: 1, high: 2 } as const;

/** Overlapping hits (a JWT inside a `token=` value) become one span with the gravest label. */
export function mergeOverlaps(found: Finding[]): Finding[] {
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
