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
 * Where a pattern rule may start, so the scanner can test it with a few char compares:
 * `number` a digit (or `+`/`(` before one) starting a token, `ipv6` hex then `:`,
 * `iban` two letters then two digits, `invisible` / `ansi` the characters themselves.
 */
export type Trigger = 'number' | 'ipv6' | 'iban' | 'invisible' | 'ansi';

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
  pattern?: string;
  match: (text: string, at: number, hit: string) => Finding | null;
}
