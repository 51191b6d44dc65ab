export type Family = 'secret' | 'pii' | 'injection';
export type Severity = 'low' | 'medium' | 'high';

export interface Finding {
  type: string;
  family: Family;
  start: number;
  end: number;
  severity: Severity;
}

/**
 * Which scanner lane runs a pattern rule; lanes group patterns whose first characters
 * are alike, because that decides how fast V8's regex engine can skip through text.
 */
export type Trigger = 'assign' | 'number' | 'ipv6' | 'iban' | 'invisible' | 'ansi';

/**
 * One detector. `anchors` are literal strings (or, with `trigger`, a sticky `pattern`) the
 * shared scanner looks for; `match` runs only where one was seen, so the whole ruleset
 * costs about one pass. `at` is where the hit starts, `hit` the anchor or pattern text;
 * `match` may look behind `at`.
 */
export interface Rule {
  type: string;
  family: Family;
  severity: Severity;
  anchors: readonly string[];
  trigger?: Trigger;
  /** Regex source for a `trigger` rule; `match` gets the start of the hit. */
  pattern?: string;
  /**
   * Sticky regex (never matching empty) run again and again at the end of a `pattern` hit: the
   * hit grows while it matches. A run written `(?:A|BC)+` in the pattern makes V8 keep a
   * backtrack entry per repeat and throw on a run of millions; the pattern matches one unit.
   */
  extend?: RegExp;
  /** Looser source for raw JSON lines, where `\n` or `\"` may sit next to the hit. */
  probe?: string;
  /**
   * For a literal anchor seen on a raw JSON line (escapes not decoded): false only when the
   * decoded text cannot hold a finding there, so the line may pass without a parse.
   */
  rawMatch?: (line: string, at: number) => boolean;
  /** The token's body may hold `_` or `-`, so it need not show a long plain run after a separator. */
  separatorsInBody?: boolean;
  /** A hit cannot hide another hit of the same lane, so the lane may resume after it. */
  consumes?: boolean;
  /** Maps a hit position to where `match` should start (an IPv6 hit is mid-address). */
  start?: (text: string, at: number) => number;
  match: (text: string, at: number, hit: string) => Finding | null;
}
