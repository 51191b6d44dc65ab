// The keyword prefilter. Every rule's anchors are folded into a few "lanes", each one
// global regex, so clean text costs a handful of native regex scans however many rules
// there are, and a rule's own, costlier check runs only where its anchor occurs.
// Lanes are split by how common their first character is: V8's regex engine skips
// through text fast when the possible first chars are rare (uppercase, symbols) and
// slows down when every letter may start a match, so lowercase anchors get their own lane.
import { GENERIC_RULES } from './generic-assignment.js';
import { INJECTION_RULES } from './injection-rules.js';
import { LOOKBACK_RULES } from './lookback-rules.js';
import { PII_RULES } from './pii-rules.js';
import { TOKEN_RULES } from './secret-tokens.js';
import { STRUCTURED_RULES } from './structured-secrets.js';
import type { Finding, Rule, Trigger } from './types.js';

export const ALL_RULES: readonly Rule[] = [
  ...TOKEN_RULES, ...LOOKBACK_RULES, ...STRUCTURED_RULES, ...GENERIC_RULES, ...PII_RULES, ...INJECTION_RULES,
];

export interface Scanner {
  detect(text: string): Finding[];
  /** True when a raw JSON line holds nothing any rule could start on, even behind escapes. */
  isCleanJson(line: string): boolean;
}

interface Lane {
  re: RegExp;
  /** Superset regex for a raw JSON line, where `\n` may stand before a token. */
  probe: RegExp;
  run: (text: string, m: RegExpExecArray, out: Finding[]) => number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * `ab|ac|b` as `a(?:b|c)|b`: factoring shared prefixes lets the regex engine reject a
 * position after one char compare instead of trying every alternative in turn.
 */
function trieSource(words: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const w of words) {
    const k = w[0]!;
    const rest = groups.get(k) ?? [];
    rest.push(w.slice(1));
    groups.set(k, rest);
  }
  return [...groups]
    .map(([k, rest]) => {
      const tails = rest.filter(Boolean);
      if (tails.length === 0) return escape(k);
      const sub = tails.length === 1 ? escape(tails[0]!) : `(?:${trieSource(tails)})`;
      return escape(k) + (rest.includes('') ? `(?:${sub})?` : sub);
    })
    .join('|');
}

/** Literal anchors; a hit is one map lookup away from the rules that own the anchor. */
function literalLane(entries: Array<[string, Rule]>): Lane | null {
  if (entries.length === 0) return null;
  // Anchors sharing a prefix collapse onto the shortest, so at most one can match here.
  const anchors = [...new Set(entries.map(([a]) => a))].sort((a, b) => a.length - b.length);
  const owner = new Map<string, string>();
  for (const a of anchors) owner.set(a, anchors.find((b) => a.startsWith(b) && owner.get(b) === b) ?? a);
  const byAnchor = new Map<string, Rule[]>();
  for (const [a, r] of entries) {
    const key = owner.get(a)!;
    const list = byAnchor.get(key) ?? [];
    if (!list.includes(r)) list.push(r);
    byAnchor.set(key, list);
  }
  const source = trieSource([...byAnchor.keys()]);
  return {
    re: new RegExp(source, 'g'),
    probe: new RegExp(source),
    run(text, m, out) {
      for (const r of byAnchor.get(m[0]) ?? []) {
        const f = r.match(text, m.index, m[0]);
        if (f) out.push(f);
      }
      return m.index + 1;
    },
  };
}

/** Several pattern rules in one regex, one capture group each. */
function patternLane(parts: Array<{ rule: Rule; source: string; probe: string; start?: (t: string, at: number) => number; consumes: boolean }>): Lane | null {
  if (parts.length === 0) return null;
  return {
    re: new RegExp(parts.map((p) => `(${p.source})`).join('|'), 'g'),
    probe: new RegExp(parts.map((p) => p.probe).join('|')),
    run(text, m, out) {
      let g = 1;
      while (m[g] === undefined && g < parts.length) g++;
      const p = parts[g - 1]!;
      const at = p.start ? p.start(text, m.index) : m.index;
      const f = p.rule.match(text, at, m[0]);
      if (f) out.push(f);
      if (f && f.end > m.index) return f.end;
      return p.consumes ? m.index + m[0].length : m.index + 1;
    },
  };
}

// IPv6 lane hits on `:x:` or `::`; the address starts at the hex run before it.
function backToAddressStart(text: string, at: number): number {
  let s = at;
  while (s > 0 && at - s < 40 && /[0-9A-Fa-f:]/.test(text[s - 1] ?? '')) s--;
  while (text[s] === ':' && text[s + 1] !== ':') s++;
  return s;
}

// The number run refuses to end before a word char (2025-01-12T…, ids) inside the regex,
// which is far cheaper than a call per timestamp; `x` stays allowed for phone extensions.
const PATTERNS: Record<Trigger, { source: string; probe: string; start?: (t: string, at: number) => number; consumes: boolean }> = {
  number: { source: '(?<![\\w.+(])[+(]?\\(?\\d[\\d ().\\-]{5,30}\\d(?![A-Za-wyz0-9_])', probe: '[+(]?\\(?\\d[\\d ().\\-]{5,30}\\d', consumes: true },
  ipv6: { source: ':[0-9A-Fa-f]{0,4}:', probe: ':[0-9A-Fa-f]{0,4}:', start: backToAddressStart, consumes: false },
  iban: { source: '\\b[A-Za-z]{2}\\d\\d(?: ?[A-Za-z0-9]){11,34}', probe: '[A-Za-z]{2}\\d\\d(?: ?[A-Za-z0-9]){11,34}', consumes: false },
  invisible: { source: '', probe: '', consumes: true },
  ansi: { source: '', probe: '', consumes: true },
};

// Keywords and phrases are matched in the casings people write: lower, UPPER, Title.
function casings(a: string): string[] {
  return [...new Set([a, a.toLowerCase(), a.toUpperCase(), a[0]!.toUpperCase() + a.slice(1).toLowerCase()])];
}

export function createScanner(rules: readonly Rule[] = ALL_RULES): Scanner {
  const entries: Array<[string, Rule]> = [];
  for (const r of rules) {
    const caseless = r.family === 'injection' || r.type === 'generic-secret';
    for (const a of r.anchors) for (const v of caseless ? casings(a) : [a]) entries.push([v, r]);
  }
  const numeric = rules.filter((r) => r.trigger === 'number' || r.trigger === 'ipv6' || r.trigger === 'iban');
  const hidden = rules.filter((r) => r.trigger === 'invisible' || r.trigger === 'ansi');
  const lanes = [
    literalLane(entries),
    patternLane(numeric.map((rule) => ({ rule, ...PATTERNS[rule.trigger!] }))),
    patternLane(hidden.map((rule) => ({ rule, source: rule.pattern!, probe: rule.pattern!, consumes: true }))),
  ].filter((l): l is Lane => l !== null);
  // JSON may write `/` as `\/` and any char as `\uXXXX`; either could split an anchor.
  const jsonHazard = /\\[u/]/;

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
      if (jsonHazard.test(line)) return false;
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
