// Building blocks of the prefilter. A lane is one global regex whose hits are handed to
// rules. V8's regex engine skips through text quickly when the possible first chars of
// its pattern are few or rare, and slows down sharply once uppercase, symbols and
// lowercase starts are mixed in one alternation — so anchors are grouped by first char.
import type { Finding, Rule } from './types.js';

export interface Lane {
  re: RegExp;
  /** Looser regex for a raw JSON line; a hit only means "parse and look closer". */
  probe: RegExp;
  /**
   * Judges a probe hit at `at` on a raw line: false when the rules behind that anchor say the
   * decoded text cannot hold a finding there (see `Rule.rawMatch`). Absent: every hit counts.
   */
  verify?: (line: string, at: number, hit: string) => boolean;
  /** Handles one hit, returns where the lane resumes. */
  run: (text: string, m: RegExpExecArray, out: Finding[]) => number;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * `unit{min,max}` written out as `unit` `min` times, then `(?:unit{1,max-min})?`: the same
 * language and the same greedy order of tries. V8 compiles a counted quantifier as a loop
 * that its skip-ahead analysis and quick checks do not see into; spelled out, the mandatory
 * part is checked a few chars at a time. Measured: the digit-run probe went from ~15 to ~5 µs
 * per 10 KB of logs, the token run (`[_.-]` + 13 alphanumerics) from ~12 to ~6.
 */
export function repeat(unit: string, min: number, max = min): string {
  const u = /^(?:\\?.|\[[^\]]*\])$/.test(unit) ? unit : `(?:${unit})`;
  return u.repeat(min) + (max > min ? `(?:${u}{1,${max - min}})?` : '');
}

/**
 * `ab|ac|b` as `a(?:b|c)|b`: factoring shared prefixes lets the engine reject a position
 * after one compare. Anchors must not be prefixes of each other (see `collapsePrefixes`).
 */
export function trieSource(words: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const w of words) {
    const rest = groups.get(w[0]!) ?? [];
    rest.push(w.slice(1));
    groups.set(w[0]!, rest);
  }
  return [...groups]
    .map(([k, rest]) => {
      const tails = rest.filter(Boolean);
      if (tails.length === 0) return escapeRe(k);
      return escapeRe(k) + (tails.length === 1 ? escapeRe(tails[0]!) : `(?:${trieSource(tails)})`);
    })
    .join('|');
}

/** Anchors sharing a prefix collapse onto the shortest, so a hit is one map lookup. */
export function collapsePrefixes(entries: ReadonlyArray<[string, Rule]>, norm: (s: string) => string): Map<string, Rule[]> {
  const anchors = [...new Set(entries.map(([a]) => norm(a)))].sort((a, b) => a.length - b.length);
  const owner = new Map<string, string>();
  for (const a of anchors) owner.set(a, anchors.find((b) => a.startsWith(b) && owner.get(b) === b) ?? a);
  const byAnchor = new Map<string, Rule[]>();
  for (const [a, r] of entries) {
    const key = owner.get(norm(a))!;
    const list = byAnchor.get(key) ?? [];
    if (!list.includes(r)) list.push(r);
    byAnchor.set(key, list);
  }
  return byAnchor;
}

/** Runs the rules behind one anchor hit, collecting what they find. */
export function runRules(rules: readonly Rule[] | undefined, text: string, at: number, hit: string, out: Finding[]): void {
  if (!rules) return;
  for (const r of rules) {
    const f = r.match(text, at, hit);
    if (f) out.push(f);
  }
}

/** Where a match ending at `end` ends once the sticky `more` (never matching empty) is run on while it matches. */
export function extendEnd(text: string, end: number, more: RegExp): number {
  for (;;) {
    more.lastIndex = end;
    if (!more.test(text)) return end;
    end = more.lastIndex;
  }
}

function extendHit(text: string, at: number, hit: string, more: RegExp): string {
  const end = extendEnd(text, at + hit.length, more);
  return end === at + hit.length ? hit : text.slice(at, end);
}

/**
 * Literal anchors (group 1) plus pattern rules (one group each) in one regex. With `gap`, a space
 * in an anchor matches `gap.source` instead (any run of spaces between a phrase's words), and a
 * hit is looked up with each such run collapsed to one space.
 */
export function mixedLane(
  entries: ReadonlyArray<[string, Rule]>, patterns: readonly Rule[], ci = false, extraProbe?: string,
  gap?: { source: string; collapse: (hit: string) => string },
): Lane | null {
  if (entries.length === 0 && patterns.length === 0) return null;
  const norm = (s: string) => (ci ? s.toLowerCase() : s);
  // trieSource writes a space as itself, and nothing else as a space.
  const spaced = (source: string) => (gap ? source.replaceAll(' ', gap.source) : source);
  const byAnchor = collapsePrefixes(entries, norm);
  // Most hits have one space between their words or none: looked up first, they are spared the collapse.
  const rulesFor = (hit: string) => {
    const key = norm(hit);
    return byAnchor.get(key) ?? (gap ? byAnchor.get(gap.collapse(key)) : undefined);
  };
  // A literal rule may bring a stricter probe for raw lines (`://` only with a `@` after it).
  const probeEntries = entries.filter(([, r]) => !r.probe);
  const probeAnchors = [...collapsePrefixes(probeEntries, norm).keys()];
  const literalProbes = [...new Set(entries.filter(([, r]) => r.probe).map(([, r]) => r.probe!))];
  // Group 1 holds the literal anchors when there are any; each pattern gets the next group.
  const lit = byAnchor.size ? [`(${spaced(trieSource([...byAnchor.keys()]))})`] : [];
  const first = lit.length + 1;
  const flags = ci ? 'i' : '';
  const source = [...lit, ...patterns.map((r) => `(${r.pattern})`)].join('|');
  const probe = [
    ...(probeAnchors.length ? [spaced(trieSource(probeAnchors))] : []),
    ...literalProbes,
    ...patterns.map((r) => r.probe ?? r.pattern!),
    ...(extraProbe ? [extraProbe] : []),
  ].map((p) => `(?:${p})`).join('|') || '(?!)';
  const checked = entries.some(([, r]) => r.rawMatch);
  return {
    re: new RegExp(source, `g${flags}`),
    probe: new RegExp(probe, flags),
    verify: checked
      ? (line, at, hit) => {
          const rs = rulesFor(hit);
          return !rs || !rs.every((r) => r.rawMatch) || rs.some((r) => r.rawMatch!(line, at));
        }
      : undefined,
    run(text, m, out) {
      if (lit.length && m[1] !== undefined) {
        runRules(rulesFor(m[1]), text, m.index, m[1], out);
        return m.index + 1;
      }
      let g = first;
      while (m[g] === undefined && g < first + patterns.length - 1) g++;
      const r = patterns[g - first];
      if (!r) return m.index + 1;
      const hit = r.extend ? extendHit(text, m.index, m[0], r.extend) : m[0];
      const before = out.length;
      runRules([r], text, r.start ? r.start(text, m.index) : m.index, hit, out);
      const f = out.length > before ? out[out.length - 1] : undefined;
      if (f && f.end > m.index) return f.end;
      return r.consumes ? m.index + hit.length : m.index + 1;
    },
  };
}
