// An AWS secret access key has no prefix: it is 40 chars of base64, as anonymous as a hash.
// What gives it away is its access key id, printed next to it by everything that prints the
// pair: `aws iam create-access-key`, the console's credentials.csv, `env`, a credentials file,
// a table. So the rule rides on the access key id's anchors and looks for a 40-char run in a
// short window on either side of a real key id; a shape check keeps SHA-1s and words out.
import { isAlnum } from './checks.js';
import { NAME_CHAR } from './generic-assignment.js';
import { distinctChars, isDocsExample } from './placeholders.js';
import { forgetAfterEachScan, memoKept } from './scan-memo.js';
import { tokenRule, type TokenSpec } from './token-rule.js';
import type { Finding, Rule } from './types.js';

export const AWS_ACCESS_KEY_ID: TokenSpec = {
  type: 'aws-access-key-id',
  anchors: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
  re: /A(?:KIA|SIA|BIA|CCA)[A-Z2-7]{16}(?![A-Za-z0-9])/y,
};
const keyId = tokenRule(AWS_ACCESS_KEY_ID);

/** The finding a secret key found by its key id is reported as. */
export const AWS_SECRET_TYPE = 'aws-secret-access-key';

const SECRET_LENGTH = 40;
/**
 * Chars allowed between the key id and its secret. The layouts that print the pair put 1-30
 * chars between them: a space or a comma (tables, credentials.csv), `\naws_secret_access_key = `
 * (25, a credentials file), `",\n        "SecretAccessKey": "` (31, pretty-printed JSON), an
 * `AWS_DEFAULT_REGION=…` line between the two in a sorted `env` (~40). 100 leaves room for
 * deeper indentation and longer labels; wider, a stray 40-char run further away (a hash, a
 * base64 value of another field) would be taken for the secret more often.
 */
export const AWS_SECRET_WINDOW = 100;

const isSecretChar = (c: number) => isAlnum(c) || c === 43 || c === 47; // + /
// `_` or `-` next to the run makes it part of a longer (base64url) token; `=` after it, base64
// padding of a longer value; `.` before it, or `.` and a letter or digit after it, a host or a
// file name (`bucket.s3.amazonaws.com/Finance/…/QuarterlyRpt12.pdf` in a presigned URL). Any
// other char (space, `,`, `"`, `:`, `=` before, `.` ending a sentence) is a boundary.
const gluedBefore = (c: number) => c === 95 || c === 45 || c === 46;
const gluedAfter = (text: string, q: number) => {
  const c = text.charCodeAt(q);
  return c === 95 || c === 45 || c === 61 || (c === 46 && isAlnum(text.charCodeAt(q + 1)));
};

/**
 * Whether a 40-char run reads as a random key. Checked on 200,000 random keys: every one has an
 * upper- and a lowercase letter; one in 4,000 has neither a digit nor `+` `/` (missed, a price
 * paid to leave 40-letter identifiers alone). A SHA-1 (a git commit) is all hex in one case.
 */
function looksRandom(v: string): boolean {
  let upper = 0, lower = 0, other = 0, hex = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
    else other++;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) hex++;
  }
  // A random 40-char key uses ~29 distinct chars (never fewer than 20 in 200,000 draws); `AbAb…1` does not.
  return upper > 0 && lower > 0 && other > 0 && hex < v.length && distinctChars(v) >= 16;
}


// The starts of the text's 40-char runs, read once per text from left to right: a text dense
// with key ids would otherwise read the same window again for every one of them.
let runsText: string | undefined;
let runs: number[] = [];
let readTo = 0;
forgetAfterEachScan(() => {
  runsText = undefined;
  runs = [];
});

/** Reads the runs that start before `to` (skipping ahead to `from` if nothing before it was asked). */
function readRuns(text: string, from: number, to: number): void {
  if (text !== runsText) {
    runsText = text;
    runs = [];
    readTo = 0;
    memoKept();
  }
  let p = Math.max(readTo, from);
  // Skipped ahead into a run: back to its start, which lies past what was read already.
  while (p > readTo && isSecretChar(text.charCodeAt(p - 1))) p--;
  const end = Math.min(to, text.length);
  while (p < end) {
    if (!isSecretChar(text.charCodeAt(p))) {
      p++;
      continue;
    }
    let q = p + 1;
    while (q < text.length && isSecretChar(text.charCodeAt(q))) q++;
    if (q - p === SECRET_LENGTH && !gluedBefore(text.charCodeAt(p - 1)) && !gluedAfter(text, q)) runs.push(p);
    p = q;
  }
  readTo = Math.max(readTo, p);
}

/** Index of the first run starting at or after `pos`. */
function firstRunFrom(pos: number): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// A path segment of words: `Finance`, `QuarterlyRpt12`, `AwsProfiles2222`, `AWS`, `2026`.
const PATH_SEGMENT = /^(?:(?:[A-Z]?[a-z]{2,})+|[A-Z]{2,5})\d*$|^\d+$/;

/**
 * Whether a run reads as a path (`/Users/Alice/Work/Config/AwsProfiles2222` in an env listing,
 * `com/AcmeCorp/InfraTerraform/blob/main/xy` in a URL): it holds `/`, at least two of its
 * `/`-separated segments have 3 chars or more, and each of those is words (PATH_SEGMENT);
 * shorter ones (`xy`, `s3`) are not read. Half of all real keys hold a `/`, so a `/` alone says
 * nothing; of 2,000,000 random 40-char keys of the base64 alphabet, none read as a path (a
 * looser test, a letter, a lowercase letter, then any letters or digits, missed 1 key in 42).
 */
function readsAsPath(v: string): boolean {
  if (v.indexOf('/') === -1) return false;
  let words = 0;
  for (const segment of v.split('/')) {
    if (segment.length < 3) continue;
    if (!PATH_SEGMENT.test(segment)) return false;
    words++;
  }
  return words >= 2;
}

// Names of fields that hold a digest or a signature: `Checksum`, `ETag`, `Content-MD5`,
// `x-amz-checksum-sha1`, `file_hash`, `sha256sum`, `Signature`. The layouts that print a key
// pair label the secret SecretAccessKey, aws_secret_access_key, secret, or not at all.
const DIGEST_LABEL = /(?:checksum|digest|hash|sha\d*|md5|sum|crc\d*|etag|fingerprint|signature)$/i;
const isQuoteOrSpace = (c: string | undefined) => c === '"' || c === "'" || c === '\\' || c === ' ' || c === '\t';

/** Back from `p` over quotes (escaped too) and spaces, at most a few; where they start. */
function skipQuotesAndSpaces(text: string, p: number): number {
  const stop = Math.max(0, p - 8);
  while (p > stop && isQuoteOrSpace(text[p - 1])) p--;
  return p;
}

/** Whether the run at `start` is the value of a field named as a digest (`"Checksum": "…"`, `ETag: …`). */
function labelledDigest(text: string, start: number): boolean {
  const op = skipQuotesAndSpaces(text, start) - 1;
  if (text[op] !== ':' && text[op] !== '=') return false;
  const end = skipQuotesAndSpaces(text, op);
  let s = end;
  while (s > 0 && end - s < 64 && NAME_CHAR.test(text[s - 1]!)) s--;
  return DIGEST_LABEL.test(text.slice(s, end));
}

const secretAt = (text: string, start: number): boolean => {
  const v = text.slice(start, start + SECRET_LENGTH);
  return looksRandom(v) && !readsAsPath(v) && !isDocsExample(v) && !labelledDigest(text, start);
};

const found = (start: number): Finding =>
  ({ type: AWS_SECRET_TYPE, family: 'secret', severity: 'high', start, end: start + SECRET_LENGTH });

/** The key id at `at`, and the runs near it read; null when `at` starts no key id. */
function keyIdAt(text: string, at: number, hit: string): Finding | null {
  const id = keyId.match(text, at, hit);
  if (id) readRuns(text, id.start - AWS_SECRET_WINDOW - SECRET_LENGTH, id.end + AWS_SECRET_WINDOW + 1);
  return id;
}

/** The nearest random-looking run after the key id (within the window), or -1. */
function secretAfterId(text: string, id: Finding): number {
  for (let k = firstRunFrom(id.end); k < runs.length && runs[k]! - id.end <= AWS_SECRET_WINDOW; k++) {
    if (secretAt(text, runs[k]!)) return runs[k]!;
  }
  return -1;
}

/** The nearest random-looking run before the key id (within the window), or -1. */
function secretBeforeId(text: string, id: Finding): number {
  for (let k = firstRunFrom(id.start - SECRET_LENGTH + 1) - 1; k >= 0 && id.start - (runs[k]! + SECRET_LENGTH) <= AWS_SECRET_WINDOW; k--) {
    if (secretAt(text, runs[k]!)) return runs[k]!;
  }
  return -1;
}

// One rule per side, since a rule reports one finding: in a listing of pairs, each key id has
// another pair's secret on its other side, and the nearest run on each side covers both layouts.
const secretBeside = (nearest: (text: string, id: Finding) => number): Rule => ({
  type: AWS_SECRET_TYPE, family: 'secret', severity: 'high', anchors: AWS_ACCESS_KEY_ID.anchors,
  match(text, at, hit) {
    const id = keyIdAt(text, at, hit);
    const start = id ? nearest(text, id) : -1;
    return start >= 0 ? found(start) : null;
  },
});

export const AWS_SECRET_RULES: Rule[] = [secretBeside(secretAfterId), secretBeside(secretBeforeId)];
