// The output stage on the shim's hot path. Most results hold nothing to find: they are
// answered from the raw line with one regex test and forwarded byte-identical.
import { isKeptNumber, parseKeepingNumbers } from '../jsonrpc/exact-numbers.js';
import { numbersAsRead, repeatedKey } from '../jsonrpc/json-scan.js';
import { blobReadings, encodeBlob, type BlobText, looseBlobText, readingOf } from './binary-fields.js';
import { decodeEscapes, mapFindings } from './escaped-view.js';
import { withKeptNumbers } from './kept-numbers.js';
import { redactText } from './redact.js';
import { createScanner, mergeOverlaps, type Scanner } from './scanner.js';
import { splitFindings } from './split-items.js';
import type { Finding } from './types.js';

export interface OutputThresholds {
  quarantineOnPrivateKey: boolean;
  /** Secrets in one result at or above which the whole result is withheld. */
  quarantineSecretCount: number;
  /** PII findings in one result at or above which it is treated as a bulk export. */
  quarantinePiiCount: number;
}

export const DEFAULT_OUTPUT_THRESHOLDS: OutputThresholds = {
  quarantineOnPrivateKey: true,
  quarantineSecretCount: 5,
  quarantinePiiCount: 20,
};

export type VerdictFinding = Omit<Finding, 'start' | 'end'> & { path: string };

export interface OutputVerdict {
  action: 'PASS' | 'REDACT' | 'QUARANTINE';
  findings: VerdictFinding[];
  /** The whole message (or arguments) with every span replaced; set on REDACT only. */
  redacted?: unknown;
  /**
   * Set on a PASS whose line repeats a key: the message as read and scanned, to leave in
   * place of the raw line (see `repeats`).
   */
  reparsed?: unknown;
}

/**
 * Whether a line the prefilter flagged must not leave as the server wrote it, though the
 * detectors found nothing in the message JSON.parse read: it repeats a key, and JSON.parse
 * keeps the last copy, so the others were never scanned. A client whose parser keeps the
 * first (gjson, fastjson, hand-rolled scanners), or that logs the raw line, would read
 * `{"text":"ghp_…","text":"ok"}` in clear. Sent as re-serialised, every parser reads the
 * copy that was scanned. Only flagged lines pay for the look.
 */
function repeats(line: string): boolean {
  return repeatedKey(line) !== null;
}

let shared: Scanner | undefined;
const scanner = (): Scanner => (shared ??= createScanner());

/**
 * True when a raw JSON-RPC line holds nothing any detector could start on (escapes
 * included): such a line needs neither parsing nor scanning to be passed on untouched.
 */
export function isCleanLine(line: string): boolean {
  return isCleanMessage(line, scanner());
}

/**
 * The prefilter reads the raw line, where a text resource's blob is base64 it cannot read: a
 * line holding a blob is parsed, for scanTree to decode it. The key as written: an escape in
 * it (`"bl\u006fb"`) fails the prefilter already. One native substring search per clean line.
 */
function isCleanMessage(line: string, s: Scanner): boolean {
  return s.isCleanJson(line) && !line.includes('"blob"');
}

/** What the detectors find in one string; JSON-as-text is scanned decoded (see escaped-view.ts). */
/** A finding as a verdict records it: where in the message, not where in the text. */
const atPath = (f: Finding, path: string): VerdictFinding => ({ type: f.type, family: f.family, severity: f.severity, path });

function findIn(text: string, s: Scanner): Finding[] {
  const view = text.indexOf('\\') === -1 ? null : decodeEscapes(text);
  return view ? mapFindings(s.detect(view.text), view) : s.detect(text);
}

/**
 * The findings of one string, read as the output stage reads a text item: escapes of
 * JSON-as-text decoded. The quarantine view masks held results and the shim the excerpts it
 * drops with this; read raw, `…\n<secret>` glued the `n` to the secret and showed it there.
 */
export function detect(text: string): Finding[] {
  return findIn(text, scanner());
}

/** Walks every string, replacing those with findings in place; returns what it found. */
function scanTree(root: { v: unknown }, path: string, s: Scanner): VerdictFinding[] {
  const found: VerdictFinding[] = [];
  // A listing repeats the same few keys in every item: each is read once.
  const cleanKeys = new Set<string>();
  // Parts of findings that span several text items, by the item they fall in (split-items.ts).
  const splitParts = new Map<unknown, Finding[]>();
  // Findings of an item's own scan that a split finding counts instead (the same value, graver label).
  const superseded = new Map<unknown, Finding[]>();
  /** `text` with its findings (and `extra`, already recorded) redacted, each recorded under `p`; null when it holds none. */
  const clean = (text: string, p: string, extra?: Finding[], skip?: Finding[]): string | null => {
    const fs = findIn(text, s);
    for (const f of fs) {
      if (skip?.some((g) => g.start === f.start && g.end === f.end && g.type === f.type)) continue;
      found.push(atPath(f, p));
    }
    if (extra) return redactText(text, mergeOverlaps([...fs, ...extra]));
    return fs.length === 0 ? null : redactText(text, fs);
  };
  /**
   * A text resource's blob, scanned decoded in every way it reads (binary-fields.ts); the
   * reading that holds findings is redacted and encoded again in its own bytes. When two
   * readings hold findings, no one redaction covers both: the blob is replaced by a notice.
   */
  const cleanBlob = (blob: string, parent: Record<string, unknown>, p: string): string | null => {
    const hits: Array<{ reading: BlobText; fs: Finding[] }> = [];
    for (const reading of blobReadings(blob, parent)) {
      const fs = findIn(reading.text, s).filter((f) => !reading.counts || reading.counts.includes(f.family));
      if (fs.length > 0) hits.push({ reading, fs });
    }
    if (hits.length === 0) return null;
    for (const { fs } of hits) for (const f of fs) found.push(atPath(f, p));
    const [first] = hits;
    if (hits.length === 1) return encodeBlob(redactText(first!.reading.text, first!.fs), first!.reading.encoding);
    return encodeBlob('[blob withheld by MCP Firewall: it holds findings read as UTF-16 and as UTF-8]');
  };
  /** A blob a lenient decoder reads as text: scanned as that text; redacted, encoded again (strictly). */
  const cleanLooseBlob = (blob: string, p: string): string | null => {
    const text = looseBlobText(blob);
    const redacted = text === null ? null : clean(text, p);
    return redacted === null ? null : encodeBlob(redacted);
  };
  const visit = (holder: Record<string, unknown> | unknown[], key: string | number, p: string): void => {
    const v = (holder as Record<string | number, unknown>)[key];
    if (typeof v === 'string') {
      const reading = key === 'blob' || key === 'data' ? readingOf(key, holder as Record<string, unknown>, v) : 'text';
      if (reading === 'binary') return;
      const redacted = reading === 'base64-text' ? cleanBlob(v, holder as Record<string, unknown>, p)
        : reading === 'loose-base64-text' ? (cleanLooseBlob(v, p) ?? clean(v, p))
        : key === 'text' ? clean(v, p, splitParts.get(holder), superseded.get(holder)) : clean(v, p);
      if (redacted !== null) (holder as Record<string | number, unknown>)[key] = redacted;
    } else if (Array.isArray(v)) {
      for (const split of splitFindings(v, (t) => findIn(t, s))) {
        const { type, family, severity } = split.finding;
        if (!split.foundInItem) found.push({ type, family, severity, path: `${p}[${split.first}].text` });
        for (const [i, part] of split.parts) splitParts.set(v[i], [...(splitParts.get(v[i]) ?? []), part]);
        for (const [i, own] of split.supersedes) superseded.set(v[i], [...(superseded.get(v[i]) ?? []), own]);
      }
      for (let i = 0; i < v.length; i++) visit(v, i, `${p}[${i}]`);
    } else if (v !== null && typeof v === 'object' && !isKeptNumber(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      // Keys are text the client passes on too: a map keyed by address, phone or token
      // (`{"jane@example.com": {…}}`) shows them to the model as plainly as its values.
      // Read first, so the paths of the values below never name what was found.
      const names = renamedKeys(keys, (k) => {
        if (cleanKeys.has(k)) return null;
        const redacted = clean(k, `${p}.<key>`);
        if (redacted === null) cleanKeys.add(k);
        return redacted;
      });
      for (let i = 0; i < keys.length; i++) visit(o, keys[i]!, `${p}.${names ? names[i]! : keys[i]!}`);
      // fromEntries defines each key as its own property: a `__proto__` key stays a key.
      if (names) (holder as Record<string | number, unknown>)[key] = Object.fromEntries(keys.map((k, i) => [names![i]!, o[k]]));
    }
  };
  visit(root as unknown as Record<string, unknown>, 'v', path);
  return found;
}

/**
 * The names of `keys` with each that `redact` rewrites (null: left as it is) rewritten; null
 * when none is. Two keys redacted alike must not fold into one (the later would drop the
 * earlier's value): the second becomes `…#2`.
 */
function renamedKeys(keys: readonly string[], redact: (key: string) => string | null): string[] | null {
  let names: string[] | null = null;
  let taken: Set<string> | null = null;
  for (let i = 0; i < keys.length; i++) {
    const redacted = redact(keys[i]!);
    if (redacted === null) continue;
    names ??= keys.slice();
    taken ??= new Set(keys);
    let name = redacted;
    for (let n = 2; taken.has(name); n++) name = `${redacted}#${n}`;
    taken.add(name);
    names[i] = name;
  }
  return names;
}

// The members JSON-RPC defines: their names are the protocol's, not server text.
const MESSAGE_KEYS = new Set(['jsonrpc', 'id', 'result', 'error', 'method', 'params']);

function decide(findings: VerdictFinding[], t: OutputThresholds): OutputVerdict['action'] {
  if (findings.length === 0) return 'PASS';
  let secrets = 0;
  let pii = 0;
  for (const f of findings) {
    if (f.family === 'secret') {
      if (t.quarantineOnPrivateKey && f.type === 'private-key') return 'QUARANTINE';
      secrets++;
    } else if (f.family === 'pii') pii++;
  }
  if (secrets >= t.quarantineSecretCount || pii >= t.quarantinePiiCount) return 'QUARANTINE';
  return 'REDACT';
}

/**
 * Scans one message in place, every member but its id, and returns it: the id is the
 * client's (it matches the answer to its request by it), never server text to rewrite.
 * A message that is no object is scanned whole. Findings are added to `found`.
 */
function scanMessage(message: unknown, prefix: string, s: Scanner, found: VerdictFinding[]): unknown {
  // A number kept as written (a batch member `1.0`) is a frozen object holding no server text.
  if (isKeptNumber(message)) return message;
  const dot = prefix === '' ? '' : '.';
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    const holder = { v: message };
    // A loop, not push(...): a contact or log export holds 100,000s of findings, past what a call's arguments may hold.
    for (const f of scanTree(holder, prefix, s)) found.push(f);
    return holder.v;
  }
  const m = message as Record<string, unknown>;
  const keys = Object.keys(m);
  // A member beside `result` is passed on with the rest, its name too: `{"ghp_…":true}` reached
  // the client byte for byte. Its name is read as scanTree reads a key, before the values, so
  // no path below names what was found.
  const names = renamedKeys(keys, (key) => {
    if (MESSAGE_KEYS.has(key)) return null;
    const fs = findIn(key, s);
    for (const f of fs) found.push(atPath(f, `${prefix}${dot}<key>`));
    return fs.length === 0 ? null : redactText(key, fs);
  });
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === 'id') continue;
    const holder = { v: m[key] };
    for (const f of scanTree(holder, `${prefix}${dot}${names ? names[i]! : key}`, s)) found.push(f);
    m[key] = holder.v;
  }
  // fromEntries defines each key as its own property: a `__proto__` key stays a key.
  return names ? Object.fromEntries(keys.map((k, i) => [names[i]!, m[k]])) : m;
}

/**
 * Judges one upstream JSON-RPC response line. PASS means forward the original bytes;
 * REDACT carries the rewritten message; QUARANTINE means withhold it (findings say why).
 */
export function inspectResultLine(line: string, thresholds: OutputThresholds = DEFAULT_OUTPUT_THRESHOLDS): OutputVerdict {
  const s = scanner();
  if (isCleanMessage(line, s)) return { action: 'PASS', findings: [] };
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    // The relay drops lines that are not JSON before they get here; a caller that did not
    // still gets a safe answer: what the detectors find in the raw text holds the line back.
    const findings = s.detect(line).map(({ type, family, severity }) => ({ type, family, severity, path: '' }));
    return findings.length === 0 ? { action: 'PASS', findings } : { action: 'QUARANTINE', findings };
  }
  // A batch is an array of responses; each member is judged, the verdict covers all. A PASS
  // leaves as the raw line, so nothing of it goes unread: not a member that is no object
  // (the shim drops those, but the verdict must not rely on it), not a key beside `result`.
  const findings: VerdictFinding[] = [];
  const verdict = verdictOf(line, scanLine(msg, s, findings), findings, thresholds);
  const rewritten = verdict.redacted ?? verdict.reparsed;
  if (rewritten === undefined) return verdict;
  const exact = asWritten(line, rewritten, s);
  return verdict.redacted !== undefined ? { ...verdict, redacted: exact } : { ...verdict, reparsed: exact };
}

/** A parsed line (a message or a batch of them) scanned in place, as scanMessage does. */
function scanLine(msg: unknown, s: Scanner, findings: VerdictFinding[]): unknown {
  if (!Array.isArray(msg)) return scanMessage(msg, '', s, findings);
  for (let i = 0; i < msg.length; i++) msg[i] = scanMessage(msg[i], `[${i}]`, s, findings);
  return msg;
}

/**
 * `rewritten` (the line as scanned) with its numbers as the server wrote them (exact-numbers.ts).
 * Nearly always every number reads back as written, which one scan of the text tells (a plain
 * parse's cost): the line is not read again. Otherwise it is read again with source text, and
 * the kept numbers are moved into the tree already scanned; only when the two cannot be matched
 * is the second tree scanned instead. Only a line that leaves re-serialised pays.
 */
function asWritten(line: string, rewritten: unknown, s: Scanner): unknown {
  if (numbersAsRead(line)) return rewritten;
  const { value, kept } = parseKeepingNumbers(line);
  if (kept === 0) return rewritten;
  return withKeptNumbers(value, rewritten) ?? scanLine(value, s, []);
}

function verdictOf(line: string, msg: unknown, findings: VerdictFinding[], thresholds: OutputThresholds): OutputVerdict {
  const action = decide(findings, thresholds);
  if (action === 'PASS' && repeats(line)) return { action, findings, reparsed: msg };
  return action === 'REDACT' ? { action, findings, redacted: msg } : { action, findings };
}

export interface ServerMessageVerdict {
  findings: VerdictFinding[];
  /**
   * The message with every span replaced (the parsed message itself, redacted in place), its
   * numbers as the server wrote them (JSON.rawJSON where JSON.stringify would write another).
   */
  redacted: unknown;
  /** A result with these findings would have been quarantined. */
  overThreshold: boolean;
  /** No findings, but the line repeats a key: it leaves as `redacted`, re-serialised, all the same. */
  reparse?: boolean;
}

/**
 * Judges a message a server sends on its own: a notification (progress, a log line, a
 * task's status) or a request to the client (sampling, elicitation). `line` is its raw
 * text, which the prefilter reads first; `message` the parsed line, redacted in place.
 * Every member is read but the id (the client answers a request by it): the free text is
 * in `params`, but a server that strays from the spec is read all the same.
 * Such a message answers no call, so unlike a result it cannot be held for review and
 * answered with an error: whatever the thresholds, what is found is redacted.
 */
export function inspectServerMessage(line: string, message: unknown, thresholds: OutputThresholds = DEFAULT_OUTPUT_THRESHOLDS): ServerMessageVerdict {
  const s = scanner();
  if (isCleanMessage(line, s)) return { findings: [], redacted: message, overThreshold: false };
  const findings: VerdictFinding[] = [];
  const m = scanMessage(message, '', s, findings);
  // Only a message that leaves re-serialised pays for its numbers as written (see asWritten).
  if (findings.length === 0) return repeats(line) ? { findings, redacted: asWritten(line, m, s), overThreshold: false, reparse: true } : { findings, redacted: m, overThreshold: false };
  return { findings, redacted: asWritten(line, m, s), overThreshold: decide(findings, thresholds) === 'QUARANTINE' };
}

/** The verdict the firewall would give a result holding just `text` (for `classify`). */
export function inspectText(text: string, thresholds: OutputThresholds = DEFAULT_OUTPUT_THRESHOLDS): OutputVerdict & { spans: Finding[] } {
  const spans = detect(text);
  const findings = spans.map(({ type, family, severity }) => ({ type, family, severity, path: '' }));
  const action = decide(findings, thresholds);
  return action === 'REDACT' ? { action, findings, spans, redacted: redactText(text, spans) } : { action, findings, spans };
}

/**
 * DLP on `tools/call` arguments: the same detectors, on what is about to leave.
 * `requestLine` is the JSON-RPC line the arguments came in: when the prefilter finds
 * nothing anywhere in it, there is nothing in the arguments either, and they need not
 * be serialised again to be scanned.
 */
export function inspectArguments(args: unknown, thresholds: OutputThresholds = DEFAULT_OUTPUT_THRESHOLDS, requestLine?: string): OutputVerdict {
  const s = scanner();
  if (args === undefined || args === null) return { action: 'PASS', findings: [] };
  if (requestLine !== undefined && isCleanMessage(requestLine, s)) return { action: 'PASS', findings: [] };
  const json = JSON.stringify(args);
  if (json === undefined || isCleanMessage(json, s)) return { action: 'PASS', findings: [] };
  const holder = { v: JSON.parse(json) as unknown };
  const findings = scanTree(holder, 'arguments', s);
  const action = decide(findings, thresholds);
  return action === 'REDACT' ? { action, findings, redacted: holder.v } : { action, findings };
}
