// `password = ...`, `API_KEY: ...`, `"client_secret": "..."`, `--token=...`: a secret-ish
// name assigned a value that looks like a secret. The anchor is the keyword inside the
// name; the whole name is recovered around it, so `token_count` or `max_tokens` never match.
import { shannonEntropy } from './checks.js';
import { charClasses, isPlaceholder, isTemplate } from './placeholders.js';
import type { Finding, Rule } from './types.js';

// The lane regex fires on a secret-ish keyword followed by an assignment operator; the
// handler then recovers the whole name around it, so `token_count = 3` never matches.
// Keyword-first (not operator-first with a lookbehind): JSON has a `:` every few bytes.
const anyCase = (s: string) => s.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
const KEYWORD_SOURCE = anyCase('(?:pass(?:word|wd|phrase)?|pwd|secret|token|key|auth|credentials?)');
// Markdown emphasis closing the name: `_secret_: …`, `**password** = …`. The name is still
// recovered and judged whole, so `my_secret_name` stays a name that holds no secret.
const EMPHASIS = '[*_]{0,2}';

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase']);
const SECRET_WORDS = new Set(['secret', 'token', 'credential', 'credentials', 'auth', 'apikey']);
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'auth', 'signing', 'encryption', 'master', 'client', 'app', 'account',
  'license', 'subscription', 'service', 'admin', 'write', 'deploy', 'session', 'webhook', 'shared', 'hmac',
]);
const LONG_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey'];
// Names that hold pagination cursors or public material, not secrets.
const EXCLUDED_WORDS = new Set(['public', 'page', 'cursor', 'continuation', 'sync', 'next', 'csrf', 'xsrf', 'resume', 'pub']);

function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

type NameKind = 'password' | 'secret' | null;
function classifyName(name: string): NameKind {
  const words = splitWords(name);
  const last = words[words.length - 1];
  if (!last) return null;
  for (const w of words) if (EXCLUDED_WORDS.has(w)) return null;
  if (PASSWORD_WORDS.has(last)) return 'password';
  if (SECRET_WORDS.has(last)) return 'secret';
  const prev = words[words.length - 2];
  if (last === 'key' && prev && KEY_QUALIFIERS.has(prev)) return 'secret';
  // ALLCAPS or lowercase run-together names: PGPASSWORD, githubtoken.
  for (const s of LONG_SUFFIXES) if (last.length > s.length && last.endsWith(s)) return s.startsWith('pass') ? 'password' : 'secret';
  return null;
}

/** A char of a field's name: `client_secret`, `X-Amz-Credential`, `spring.datasource.password`. */
export const NAME_CHAR = /[A-Za-z0-9_.-]/;
const ABSOLUTE_PATH = /^(?:\/|~\/|[A-Za-z]:[\\/])[^\s]*$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*(?:\(\))?$/;

// A SigV4 credential scope (`AKIA…/20250101/us-east-1/s3/aws4_request`, a presigned URL's
// X-Amz-Credential or an Authorization header's Credential=): a key id, which its own rule
// finds, then a date, a region and a service. Taken as a secret, it widened that finding.
const SIGV4_SCOPE = /^[A-Z0-9]{16,128}(?:(?:\/|%2F)[\w-]+){3}(?:\/|%2F)aws4_request$/i;

function acceptValue(v: string, kind: 'password' | 'secret', quoted: boolean): boolean {
  if (v.length < 6 || isTemplate(v) || isPlaceholder(v)) return false;
  if (/^[\d.,:+-]+$/.test(v) || v.includes('://') || SIGV4_SCOPE.test(v)) return false;
  // Unquoted identifiers are code (`password = getPassword()`), not literals.
  if (!quoted && IDENTIFIER.test(v) && !/\d/.test(v)) return false;
  if (/^[A-Za-z]+$/.test(v) && (v.length < 16 || shannonEntropy(v) < 3.5)) return false;
  if (kind === 'password') return charClasses(v) >= 2;
  return v.length >= 8 && shannonEntropy(v) >= 3.0;
}

const inQuery = (text: string, nameStart: number) => text[nameStart - 1] === '?' || text[nameStart - 1] === '&';

/** Where the name ending at `e` starts: name chars back from `from`, the whole name at most 64 chars. */
function nameStart(text: string, from: number, e: number): number {
  let s = from;
  while (s > 0 && e - s < 64 && NAME_CHAR.test(text[s - 1] ?? '')) s--;
  return s;
}

// CLIs and dashboards print a secret's name as words: `API key:`, `Secret access key:`,
// `**Client secret**:`. A bare `key` then needs the word before it for a qualifier. Two words
// back, so that an excluded word before the qualifier still counts (`Public API key`), and no
// further: prose before a name is no part of it.
const NAME_WORDS_BACK = 2;
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/** The name ending at `e` read with up to two space-separated words before `s`; '' when there are none. */
function wordedName(text: string, s: number, e: number): string {
  let start = s;
  for (let n = 0; n < NAME_WORDS_BACK && isBlank(text[start - 1]) && NAME_CHAR.test(text[start - 2] ?? ''); n++) {
    const w = nameStart(text, start - 1, e);
    if (w === start - 1) break; // the 64-char bound left no room for the word
    start = w;
  }
  return start === s ? '' : text.slice(start, e);
}

// A worded name is as often prose (`Encryption key: AES-256-GCM`, `API key: not-configured`,
// `Signing key: RS256`) as a printed credential. Keys printed by a CLI are 16 chars or more
// and, random, hold a digit (32 random hex chars lack one once in 10^13; 32 base62 ones once in 280).
function wordedValue(v: string): boolean {
  return v.length >= 16 && /\d/.test(v);
}

interface SecretName { name: string; start: number; kind: 'password' | 'secret'; worded: boolean }

/** The secret-ish name ending at `e`, and whether it had to be read as words; null when it names no secret. */
function secretName(text: string, e: number): SecretName | null {
  const s = nameStart(text, e, e);
  const name = text.slice(s, e).replace(/^-+/, '');
  const kind = classifyName(name);
  if (kind) return { name, start: s, kind, worded: false };
  // Read as words only when the name alone names no secret: what a one-word name found stays found.
  const words = wordedName(text, s, e);
  const wordedKind = words ? classifyName(words) : null;
  return wordedKind ? { name: words, start: e - words.length, kind: wordedKind, worded: true } : null;
}

// A value is judged on its first 512 chars: a secret shows its shape by then, and a hit whose
// value is turned down costs no more however long the run after it (a 100 KB line without a
// space holds a hit every few chars at worst). One taken for a secret is then redacted to the
// end of its token, read once, as the scan resumes after it: an STS session token runs to 1,200
// base64 chars and more, longer URL-encoded, and a JWT with claims to several KB. 16 KB bounds
// it, twice the 8 KB most servers allow a header line; past that the run is no credential.
const JUDGED = 512;
const MAX_TOKEN = 16_384;

// Where an unquoted value ends; in a URL's query string (the name right after `?` or `&`),
// also at the next parameter or the fragment. Its run is matched natively, the judged part and
// the rest of the token each by a bounded sticky regex: ~4 ns a char, a regex test per char 33-43.
const VALUE_STOPS = String.raw`\s"'\`,;<>(){}[\]`;
interface ValueRun { judged: RegExp; rest: RegExp }
const valueRun = (stops: string): ValueRun => ({
  judged: new RegExp(`[^${stops}]{0,${JUDGED}}`, 'y'),
  rest: new RegExp(`[^${stops}]{0,${MAX_TOKEN - JUDGED}}`, 'y'),
});
const VALUE_RUN = valueRun(VALUE_STOPS);
const QUERY_VALUE_RUN = valueRun(`${VALUE_STOPS}&#`);

/** Where a run of value chars matched by `run` (never failing, at worst empty) from `from` ends. */
function runEnd(text: string, from: number, run: RegExp): number {
  run.lastIndex = from;
  run.test(text);
  return run.lastIndex;
}

/** A value's span; `run` reads an unquoted value's chars, null for a quoted value (whose end is its quote). */
interface ValueSpan { start: number; end: number; run: ValueRun | null }

/** The value after the operator at `op`: an unquoted one to its judged length, a quoted one whole. */
function readValue(text: string, op: number, nameStart: number): ValueSpan | null {
  VALUE_OPEN.lastIndex = op + 1;
  const open = VALUE_OPEN.exec(text);
  if (!open) return null;
  const start = VALUE_OPEN.lastIndex;
  if (!open[1]) {
    const run = inQuery(text, nameStart) ? QUERY_VALUE_RUN : VALUE_RUN;
    return { start, end: runEnd(text, start, run.judged), run };
  }
  const close = text.indexOf(open[1], start);
  if (close === -1) return null;
  const end = Math.min(close, start + MAX_TOKEN);
  // A short quoted value may hold spaces (a passphrase); a long one is a secret only as one token.
  const inner = text.slice(start, end);
  return (end - start > JUDGED ? /\s/.test(inner) : inner.includes('\n')) ? null : { start, end, run: null };
}

/** Where an accepted value ends: an unquoted one cut at its judged length runs on to the end of its token. */
function tokenEnd(text: string, span: ValueSpan): number {
  return span.run && span.end - span.start === JUDGED ? runEnd(text, span.end, span.run.rest) : span.end;
}

const OPERATOR = /[^=:]{0,40}[=:]/y;
// `**Password:** value`: emphasis closing after the operator is skipped when a space follows
// it; a value's own leading `_` or `*` (`password: __Xy9!…`) is kept.
const VALUE_OPEN = /[=>]?(?:[*_]{1,2}(?=[ \t]))?[ \t]*(["'`]?)/y;

const generic: Rule = {
  type: 'generic-secret', family: 'secret', severity: 'medium', anchors: [], trigger: 'assign',
  pattern: `${KEYWORD_SOURCE}${EMPHASIS}["']?[ \t]{0,3}[=:]`,
  probe: `${KEYWORD_SOURCE}${EMPHASIS}(?:\\\\?["'])?(?:[ \t]|\\\\t){0,3}[=:]`,
  start: (text, at) => {
    OPERATOR.lastIndex = at;
    return OPERATOR.exec(text) ? OPERATOR.lastIndex - 1 : at;
  },
  match(text, op): Finding | null {
    let e = op;
    while (e > 0 && (text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
    if (text[e - 1] === '"' || text[e - 1] === "'") e--;
    // `**password**`: the `*`s are no name chars (a `_` is, and splitWords drops it).
    for (let k = 0; k < 2 && text[e - 1] === '*'; k++) e--;
    const found = secretName(text, e);
    if (!found) return null;
    const { name, start: s, kind, worded } = found;
    const span = readValue(text, op, s);
    if (!span) return null;
    const value = text.slice(span.start, Math.min(span.end, span.start + JUDGED));
    if (!acceptValue(value, kind, !span.run) || (worded && !wordedValue(value))) return null;
    // `apikey = myapikey123`: a value that repeats its own name is a sample.
    const lastWord = splitWords(name).pop() ?? '';
    if (lastWord.length >= 3 && value.toLowerCase().includes(lastWord)) return null;
    // `PWD=/home/alice/src`: the shell's working directory (every environment dump has it), not a password.
    if (lastWord === 'pwd' && ABSOLUTE_PATH.test(value)) return null;
    return { type: 'generic-secret', family: 'secret', severity: 'medium', start: span.start, end: tokenEnd(text, span) };
  },
};

export const GENERIC_RULES: Rule[] = [generic];
