// A result's text items reach the model one after another, as one text: a token split across
// two of them (`{"type":"text","text":"ghp_R7mK"},{"type":"text","text":"2pQx9v…"}`) is whole
// again to the model, though neither item holds it. Runs of text items are therefore also
// scanned joined, and what is found across a boundary is redacted in every item it touches.
import { AWS_ACCESS_KEY_ID, AWS_SECRET_TYPE } from './aws-secret-key.js';
import { isAlpha } from './checks.js';
import { forgetAfterEachScan, memoKept } from './scan-memo.js';
import type { Finding } from './types.js';

type TextItem = { type: 'text'; text: string };
const isTextItem = (v: unknown): v is TextItem =>
  v !== null && typeof v === 'object' && (v as TextItem).type === 'text' && typeof (v as TextItem).text === 'string';

/** A finding that crosses item boundaries: where it starts, and its part in each item it touches. */
export interface SplitFinding {
  finding: Finding;
  first: number;
  parts: Map<number, Finding>;
  /**
   * An item's own scan finds this value too (`see` + `jane@example.org` reads `seejane@…`;
   * `jane.do` + `e@example.org`: the second item alone holds an address). That item's
   * finding is the one counted: the parts here are still redacted, but one value the model
   * reads is one finding in the verdict, the audit row and the thresholds, not two.
   */
  foundInItem: boolean;
  /**
   * Own findings of the items (by index) that hold this same value under a lesser label: a
   * `secret: ` label in the item makes the assignment rule read the AWS secret the joined text
   * finds as a generic secret. This finding is the one counted, and those are not.
   */
  supersedes: Array<[number, Finding]>;
}

/** Findings that only the joined text of consecutive text items holds. */
export function splitFindings(items: readonly unknown[], detect: (text: string) => Finding[]): SplitFinding[] {
  const out: SplitFinding[] = [];
  let i = 0;
  while (i < items.length) {
    let j = i;
    while (j < items.length && isTextItem(items[j])) j++;
    // A loop, not push(...): a result of 100,000s of items can hold as many split findings.
    if (j - i >= 2) for (const f of acrossRun(items.slice(i, j) as TextItem[], i, detect)) out.push(f);
    i = j + 1;
  }
  return out;
}

function acrossRun(run: readonly TextItem[], offset: number, detect: (text: string) => Finding[]): SplitFinding[] {
  const starts: number[] = [];
  let at = 0;
  for (const item of run) {
    starts.push(at);
    at += item.text.length;
  }
  // Each item's own findings, scanned at most once however many joined findings touch it.
  const ownFindings: Finding[][] = [];
  const own = (k: number) => (ownFindings[k] ??= detect(run[k]!.text));
  const out: SplitFinding[] = [];
  const joined = run.map((item) => item.text).join('');
  const found = detect(joined);
  const more = acrossBoundaries(run, starts, joined, found, detect);
  for (const f of more.length === 0 ? found : [...found, ...more]) {
    // The item holding its first char (a binary search: a result may hold thousands of items),
    // and the one holding its last.
    const a = itemAt(starts, f.start);
    let b = a;
    while (b + 1 < starts.length && starts[b + 1]! < f.end) b++;
    const overlaps = (k: number, g: Finding) => starts[k]! + g.start < f.end && starts[k]! + g.end > f.start;
    if (a === b) {
      // Inside one item: that item's own scan finds it, unless what gave it away stands in
      // another item (`AKIA…` in one, its secret in the next).
      if (!FOUND_BY_NEIGHBOURS.has(f.type) || own(a).some((g) => g.type === f.type && overlaps(a, g))) continue;
    } else {
      // Joining can stretch a finding of one item into the next (`jane@example.org` + `and more`
      // reads `example.organd`): one that the first item's own scan finds starting there, where
      // the first boundary falls inside a word, is its. Across digits or a separator the value
      // goes on (`+1 555 123` + ` 4567`): the own finding was only its head, and the rest of the
      // number reached the model.
      const startInA = f.start - starts[a]!;
      const boundary = starts[a + 1]!;
      // Not for a secret: a key whose first item alone reads as a whole key (`sk_live_` + 24
      // chars) went on in the next (`Xyz9…`), and that tail reached the model. Redacting a word
      // after a key costs less than handing over the rest of it.
      const inWord = isAlpha(joined.charCodeAt(boundary - 1)) && isAlpha(joined.charCodeAt(boundary));
      if (inWord && f.family !== 'secret' && own(a).some((g) => g.start === startInA && g.type === f.type)) continue;
    }
    const parts = new Map<number, Finding>();
    for (let k = a; k <= b; k++) {
      const s = Math.max(f.start, starts[k]!) - starts[k]!;
      const e = Math.min(f.end, starts[k]! + run[k]!.text.length) - starts[k]!;
      if (e > s) parts.set(offset + k, { ...f, start: s, end: e });
    }
    // An item's own finding of the same family over this span is the same value (a secret the
    // joined text finds by its key id, the item by its `secret: ` label): counted once, under
    // the graver label, as one text's overlapping findings are (mergeOverlaps).
    const same: Array<[number, Finding]> = [];
    for (let k = a; k <= b; k++) for (const g of own(k)) if (g.family === f.family && overlaps(k, g)) same.push([k, g]);
    const graver = same.length > 0 && same.every(([, g]) => RANK[f.severity] > RANK[g.severity]);
    out.push({
      finding: f, first: offset + a, parts, foundInItem: same.length > 0 && !graver,
      supersedes: graver ? same.map(([k, g]) => [offset + k, g]) : [],
    });
  }
  return out;
}

const RANK = { low: 0, medium: 1, high: 2 } as const;

/** The index of the item holding offset `at` of the joined text. */
function itemAt(starts: readonly number[], at: number): number {
  let a = 0;
  for (let hi = starts.length - 1; a < hi; ) {
    const mid = (a + hi + 1) >> 1;
    if (starts[mid]! <= at) a = mid;
    else hi = mid - 1;
  }
  return a;
}

const AWS_KEY_ID_ANCHOR = new RegExp(AWS_ACCESS_KEY_ID.anchors.join('|'));

/**
 * AWS secrets that stand in an item next to the one holding their key id, with nothing between
 * (`AKIA…` and `efMd…` as two items). Joined with nothing, the key id runs into the secret, and
 * neither has the boundary its rule asks for: the key id was found by its own item and the
 * secret by none. So where a key id may be, the items are scanned once more joined by a line
 * break, each item boundary a boundary, and the secrets found there are mapped back (a secret
 * holds no line break, so each lies in one item). Offsets are those of the text joined with
 * nothing.
 */
function acrossBoundaries(run: readonly TextItem[], starts: readonly number[], joined: string, found: readonly Finding[], detect: (text: string) => Finding[]): Finding[] {
  if (!AWS_KEY_ID_ANCHOR.test(joined)) return [];
  // Those the text joined with nothing finds already (`AKIA…\n` + the secret) are not new.
  const known = found.filter((g) => g.type === AWS_SECRET_TYPE).sort((x, y) => x.start - y.start);
  const out: Finding[] = [];
  const sepStarts = starts.map((s, k) => s + k);
  let n = 0;
  const secrets = detect(run.map((item) => item.text).join('\n')).filter((f) => f.type === AWS_SECRET_TYPE).sort((x, y) => x.start - y.start);
  for (const f of secrets) {
    const k = itemAt(sepStarts, f.start);
    if (f.end > sepStarts[k]! + run[k]!.text.length) continue;
    const start = f.start - k;
    const end = f.end - k;
    // Both lists run left to right: one walk over the known ones serves them all.
    while (n < known.length && known[n]!.end <= start) n++;
    if (n < known.length && known[n]!.start < end) continue;
    out.push({ ...f, start, end });
  }
  return out;
}

/**
 * Finding types whose rule reads the text around the value (a window, not the value alone):
 * the item holding the value may not hold what gave it away. Only these ask an item's own scan
 * about a finding inside it; for the rest, that scan would double the cost of a result full of
 * findings and find the same.
 */
const FOUND_BY_NEIGHBOURS = new Set([AWS_SECRET_TYPE, 'crypto-private-key']);

// Item boundaries as servers write them: `"},{"type":"text","text":"` (either key first).
const BOUNDARY = /"\s*\}\s*,\s*\{\s*"type"\s*:\s*"text"\s*,\s*"text"\s*:\s*"|"\s*,\s*"type"\s*:\s*"text"\s*\}\s*,\s*\{\s*"text"\s*:\s*"/g;
const TEXT_TYPE = /"type"\s*:\s*"text"/g;

/**
 * The start of a text item after another (`},{"type":"text"` or `},{"text":`), for the raw-line
 * prefilter. It rides on a probe the line pays for anyway and starts on `}`, rare on a JSON
 * line: a look of its own cost a small clean line 10-35 % (every `"` was a start).
 */
export const NEXT_TEXT_ITEM = /\}\s*,\s*\{\s*"t(?:ype"\s*:\s*"text"|ext"\s*:)/;

let lastLine: string | undefined;
let lastIsClean: ((line: string) => boolean) | undefined;
let lastAnswer = false;
forgetAfterEachScan(() => {
  lastLine = undefined;
  lastIsClean = undefined;
});
/**
 * For a raw line that holds a text item after another: whether a finding could sit across
 * their boundaries. The line is probed again as the model reads it, the boundaries taken out.
 * A line whose items the boundary pattern does not account for (other keys between them) may
 * hide one: it is parsed (fail closed). Asked once per boundary: the answer is kept per line.
 */
export function splitMayHide(line: string, isClean: (line: string) => boolean): boolean {
  if (line === lastLine && isClean === lastIsClean) return lastAnswer;
  const items = line.match(TEXT_TYPE)?.length ?? 0;
  let joined = 0;
  const out = line.replace(BOUNDARY, () => {
    joined++;
    return '';
  });
  lastAnswer = joined < items - 1 || !isClean(out);
  lastLine = line;
  lastIsClean = isClean;
  memoKept();
  return lastAnswer;
}
