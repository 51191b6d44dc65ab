// Rules and probes keep what they learnt about the text in hand (where its PEM end lines are,
// its Kubernetes documents, whether it holds a phone word, a raw line's joined items), so many
// anchors in one text cost one pass over it, not one each. Kept in module state, that also
// kept the text itself alive after its scan until another scan happened to replace it: one
// 64 MiB result stayed in memory for as long as the engine ran, once per memo. Each memo says
// how to forget, and the scanner forgets them all when its outermost call returns.

const forgetters: Array<() => void> = [];
let depth = 0;
// Most texts trigger no memo: their scan's end then costs one test, not a call per memo
// (~3 ns against ~20 per scanner call).
let kept = false;

/** Registers how a memo drops what it keeps about the text being scanned. */
export function forgetAfterEachScan(forget: () => void): void {
  forgetters.push(forget);
}

/** Called by a memo as it keeps something about a text, so that the scan's end forgets it. */
export function memoKept(): void {
  kept = true;
}

/**
 * Around each scanner entry point, the second in a `finally`. Calls nest (a raw line's items
 * are probed again joined, from inside the line's own probe): memos live until the outermost
 * call returns, so the nested call does not throw away what its caller still reads.
 */
export function scanStarts(): void {
  depth++;
}

export function scanEnds(): void {
  if (--depth > 0 || !kept) return;
  kept = false;
  for (const forget of forgetters) forget();
}
