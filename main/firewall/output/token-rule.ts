import { afterPercentEscape, isAlnum, isAlpha, isWord } from './checks.js';
import { extendEnd } from './lanes.js';
import type { Family, Finding, Rule, Severity } from './types.js';

export interface TokenSpec {
  type: string;
  anchors: readonly string[];
  /** Sticky regex that must match starting at the anchor. */
  re: RegExp;
  severity?: Severity;
  family?: Family;
  /** What may not sit right before the token: a letter, any alnum, or any word char. */
  before?: 'alpha' | 'alnum' | 'word' | 'any';
  /**
   * Sticky regex (never matching empty) run again and again at the end of a match: the token
   * grows while it matches. For a tail like `(?:%3D|=)*`, which V8 overflowed on when written
   * in `re` (a backtrack entry per repeat of a group).
   */
  extend?: RegExp;
  /** Final say on a match, e.g. a checksum; may lower the severity or reject (null). */
  check?: (token: string) => Severity | null;
}

const BOUNDARY: Record<NonNullable<TokenSpec['before']>, (c: number) => boolean> = {
  alpha: isAlpha,
  alnum: isAlnum,
  word: isWord,
  any: () => false,
};

/** A rule for the common shape: a fixed prefix followed by a body with a known alphabet. */
export function tokenRule(spec: TokenSpec): Rule {
  if (!spec.re.sticky) throw new Error(`token rule ${spec.type} needs a sticky regex`);
  const blocked = BOUNDARY[spec.before ?? 'word'];
  const severity = spec.severity ?? 'high';
  const family = spec.family ?? 'secret';
  return {
    type: spec.type,
    family,
    severity,
    anchors: spec.anchors,
    separatorsInBody: /\[[^\]]*(?:_|\\-)[^\]]*\]\{/.test(spec.re.source),
    match(text, at): Finding | null {
      if (at > 0 && blocked(text.charCodeAt(at - 1)) && !afterPercentEscape(text, at)) return null;
      spec.re.lastIndex = at;
      const m = spec.re.exec(text);
      if (!m) return null;
      const end = spec.extend ? extendEnd(text, at + m[0].length, spec.extend) : at + m[0].length;
      const sev = spec.check ? spec.check(end === at + m[0].length ? m[0] : text.slice(at, end)) : severity;
      if (!sev) return null;
      return { type: spec.type, family, severity: sev, start: at, end };
    },
  };
}
