// The keyword prefilter. One pass over the text with a char-class table and a bigram
// table of every rule's anchors (a hand-rolled Aho-Corasick, first two chars deep): clean
// text costs a table lookup per character however many rules there are, and a rule's own,
// costlier check runs only where its anchor or trigger occurs.
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

interface Anchor {
  text: string;
  rules: Rule[];
}
interface Pattern {
  rule: Rule;
  re: RegExp;
}

const WORD = 1, DIGIT = 2, HEX = 4, ALPHA = 8, ANCHOR = 16, ESC = 32, SIGN = 64;
const CLS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[0-9]/.test(ch)) CLS[c]! |= WORD | DIGIT | HEX;
  if (/[A-Za-z]/.test(ch)) CLS[c]! |= WORD | ALPHA;
  if (/[A-Fa-f]/.test(ch)) CLS[c]! |= HEX;
  if (ch === '_') CLS[c]! |= WORD;
  if (c === 0x1b) CLS[c]! |= ESC;
  if (ch === '+' || ch === '(') CLS[c]! |= SIGN;
}
const isInvisible = (c: number) =>
  (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) ||
  (c >= 0x2066 && c <= 0x2069) || c === 0xfeff || c === 0xdb40;

export function createScanner(rules: readonly Rule[] = ALL_RULES): Scanner {
  const cls = CLS.slice();
  const bigram: Array<Anchor[] | undefined> = new Array(128 * 128);
  const byText = new Map<string, Anchor>();
  for (const r of rules) {
    for (const a of r.anchors) {
      let entry = byText.get(a);
      if (!entry) {
        entry = { text: a, rules: [] };
        byText.set(a, entry);
        const c1 = a.charCodeAt(0);
        cls[c1]! |= ANCHOR;
        // A one-char anchor (`@`) is keyed under every ASCII follower.
        const seconds = a.length > 1 ? [a.charCodeAt(1)] : Array.from({ length: 128 }, (_, i) => i);
        for (const c2 of seconds) (bigram[(c1 << 7) | c2] ??= []).push(entry);
      }
      if (!entry.rules.includes(r)) entry.rules.push(r);
    }
  }
  const patterns = new Map<Trigger, Pattern>();
  for (const r of rules) if (r.trigger && r.pattern) patterns.set(r.trigger, { rule: r, re: new RegExp(r.pattern, 'y') });
  const number = patterns.get('number');
  const ipv6 = patterns.get('ipv6');
  const iban = patterns.get('iban');
  const invisible = patterns.get('invisible');
  const ansi = patterns.get('ansi');

  // `out` null means probe mode: stop at the first candidate and report it.
  function scan(text: string, out: Finding[] | null, raw: boolean): boolean {
    const n = text.length;
    let prevWord = false;
    const fire = (p: Pattern, i: number): number => {
      p.re.lastIndex = i;
      const m = p.re.exec(text);
      if (!m) return 0;
      if (out) {
        const f = p.rule.match(text, i, m[0]);
        if (f) out.push(f);
      }
      return m[0].length;
    };
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) {
        prevWord = false;
        if (invisible && isInvisible(c)) {
          const len = fire(invisible, i);
          if (len && !out) return true;
          if (len) i += len - 1;
        } else if (c === 0x9b && ansi && fire(ansi, i) && !out) return true;
        continue;
      }
      if (raw && c === 92) {
        // A JSON escape: `\uXXXX` or `\/` may hide any anchor, so the line needs parsing;
        // `\n`, `\"` and friends end a token the same way the decoded char would.
        const e = text.charCodeAt(i + 1);
        if (e === 117 || e === 47) return true;
        i++;
        prevWord = false;
        continue;
      }
      const f = cls[c]!;
      if (f & ANCHOR) {
        const c2 = text.charCodeAt(i + 1);
        const list = c2 < 128 ? bigram[(c << 7) | c2] : undefined;
        if (list !== undefined) {
          for (let k = 0; k < list.length; k++) {
            const a = list[k]!;
            if (!text.startsWith(a.text, i)) continue;
            if (!out) return true;
            for (const r of a.rules) {
              const hit = r.match(text, i, a.text);
              if (hit) out.push(hit);
            }
          }
        }
      }
      if (!prevWord) {
        if (number && ((f & DIGIT) || ((f & SIGN) && (cls[text.charCodeAt(i + 1)]! & (DIGIT | SIGN))))) {
          const len = fire(number, i);
          if (len && !out) return true;
          if (len) {
            i += len - 1;
            prevWord = true;
            continue;
          }
        }
        if (ipv6 && (f & HEX) && hexThenColon(text, i) && fire(ipv6, i) && !out) return true;
        if (iban && (f & ALPHA) && (cls[text.charCodeAt(i + 1)]! & ALPHA) && (cls[text.charCodeAt(i + 2)]! & DIGIT) &&
          (cls[text.charCodeAt(i + 3)]! & DIGIT) && fire(iban, i) && !out) return true;
      }
      if ((f & ESC) && ansi) {
        const len = fire(ansi, i);
        if (len && !out) return true;
        if (len) i += len - 1;
      }
      prevWord = (f & WORD) !== 0;
    }
    return false;
  }

  return {
    detect(text) {
      const out: Finding[] = [];
      scan(text, out, false);
      return out.length > 1 ? mergeOverlaps(out) : out;
    },
    isCleanJson: (line) => !scan(line, null, true),
  };
}

function hexThenColon(text: string, i: number): boolean {
  for (let j = i; j < i + 5; j++) {
    const c = text.charCodeAt(j);
    if (c === 58) {
      const next = text.charCodeAt(j + 1);
      return j > i && (next === 58 || (next < 128 && (CLS[next]! & HEX) !== 0));
    }
    if (!(c < 128 && (CLS[c]! & HEX) !== 0)) return false;
  }
  return false;
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
