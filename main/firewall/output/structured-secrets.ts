// Secrets recognised by structure rather than a vendor prefix: keys, JWTs, URLs with
// credentials, Kubernetes Secret manifests, bearer headers, raw wallet keys.
import { isAlnum, isWord } from './checks.js';
import { KEY_TAIL_RULES } from './key-tails.js';
import { charClasses, isPlaceholder, isTemplate } from './placeholders.js';
import { forgetAfterEachScan, memoKept } from './scan-memo.js';
import type { Finding, Rule } from './types.js';

const secret = (type: string, start: number, end: number, severity: Finding['severity'] = 'high'): Finding =>
  ({ type, family: 'secret', severity, start, end });

/**
 * `text.indexOf(needle, from)` for calls whose `from` only grows over one text, as a lane's
 * anchors do: the answer is kept and reused while it still lies ahead. Searched afresh, every
 * key header without its end line cost the whole rest of the text (seconds per 400 KB of them).
 */
function forwardFinder(needle: string): (text: string, from: number) => number {
  let seen: string | undefined;
  let searchedFrom = 0;
  let found = -1;
  forgetAfterEachScan(() => {
    seen = undefined;
  });
  return (text, from) => {
    if (text !== seen || from < searchedFrom || (found !== -1 && found < from)) {
      seen = text;
      memoKept();
      searchedFrom = from;
      found = text.indexOf(needle, from);
    }
    return found;
  };
}
const nextPemEnd = forwardFinder('-----END');
const nextPrivateLines = forwardFinder('Private-Lines:');

// PEM bodies inside JSON strings carry literal `\n` escapes (GCP service-account files).
const PEM_HEAD = /-----BEGIN ((?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?)-----/y;
const PEM_END = /-----END [A-Z0-9 ]*-*/y;
// What a key body without its end line may hold: base64 and blank space, `\n` escapes,
// `Proc-Type:`-style header lines. As one regex, `(?:[…]|\\n|:[^\n]*|[A-Za-z-]+:)*`, V8 kept
// a stack frame per char it repeated, so a header followed by 8 MB of base64 threw "Maximum
// call stack size exceeded" and the whole result was withheld. Here the same language is read
// one piece at a time: an escape, a `:` up to the line's end or a `-Label:`, then the run of
// base64 after it, a char-class loop V8 matches without that stack. No piece repeats a group.
const PEM_BODY_PIECE = /(?:\\[nr]|:[^\n]*|-[A-Za-z-]*:)?[A-Za-z0-9+/=\s]*/y;
function pemBodyEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    PEM_BODY_PIECE.lastIndex = i;
    PEM_BODY_PIECE.test(text); // always matches, if only the empty string: lastIndex is never reset
    if (PEM_BODY_PIECE.lastIndex === i) return i;
    i = PEM_BODY_PIECE.lastIndex;
  }
}

const privateKey: Rule = {
  type: 'private-key', family: 'secret', severity: 'high', anchors: ['-----BEGIN'],
  match(text, at) {
    PEM_HEAD.lastIndex = at;
    const head = PEM_HEAD.exec(text);
    if (!head) return null;
    const bodyStart = at + head[0].length;
    const endAt = nextPemEnd(text, bodyStart);
    let end: number;
    if (endAt !== -1 && endAt - bodyStart < 64_000) {
      PEM_END.lastIndex = endAt;
      end = endAt + (PEM_END.exec(text)?.[0].length ?? 8);
    } else {
      end = pemBodyEnd(text, bodyStart);
    }
    // A header alone (docs, "-----BEGIN PRIVATE KEY-----\n...") is not a key.
    let b64 = 0;
    for (let i = bodyStart; i < end && b64 < 40; i++) if (isAlnum(text.charCodeAt(i))) b64++;
    return b64 >= 40 ? secret('private-key', at, end) : null;
  },
};

const puttyKey: Rule = {
  type: 'private-key', family: 'secret', severity: 'high', anchors: ['PuTTY-User-Key-File-'],
  match(text, at) {
    const priv = nextPrivateLines(text, at);
    if (priv === -1 || priv - at > 8000) return null;
    const re = /Private-Lines: *(\d+)\r?\n/y;
    re.lastIndex = priv;
    const m = re.exec(text);
    if (!m) return null;
    let end = priv + m[0].length;
    for (let n = Number(m[1]); n > 0 && end < text.length; n--) {
      const nl = text.indexOf('\n', end);
      end = nl === -1 ? text.length : nl + 1;
    }
    return secret('private-key', at, end);
  },
};

function decodesToJsonHeader(seg: string): boolean {
  try {
    const json = atob(seg.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (seg.length % 4)) % 4));
    return json.startsWith('{') && (json.includes('"alg"') || json.includes('"typ"'));
  } catch {
    return false;
  }
}
// `X{n}X*`, never `X{n,}`: V8 keeps a stack frame per char a counted loop repeats, so `{8,}`
// threw "Maximum call stack size exceeded" on a run of 8 MB or more; `X*` is a plain loop.
const JWT = /eyJ[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]{8}[A-Za-z0-9_-]*\.(?:[A-Za-z0-9_-]{16}[A-Za-z0-9_-]*)?/y;
const jwt: Rule = {
  type: 'jwt', family: 'secret', severity: 'high', anchors: ['eyJ'],
  match(text, at) {
    if (at > 0 && (isAlnum(text.charCodeAt(at - 1)) || text[at - 1] === '-')) return null;
    JWT.lastIndex = at;
    const m = JWT.exec(text);
    if (!m || !decodesToJsonHeader(m[0].slice(0, m[0].indexOf('.')))) return null;
    return secret('jwt', at, at + m[0].length);
  },
};

const DB_SCHEMES = new Set([
  'mongodb', 'mongodb+srv', 'mysql', 'mariadb', 'postgres', 'postgresql', 'redis', 'rediss', 'amqp', 'amqps',
  'mssql', 'sqlserver', 'oracle', 'clickhouse', 'couchdb', 'neo4j', 'neo4j+s', 'cockroachdb', 'memcached',
  'cassandra', 'db2', 'snowflake', 'elasticsearch', 'influxdb',
]);
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0|host\.docker\.internal)(?::\d+)?$/i;
const GENERIC_USERS = new Set(['user', 'username', 'usr', 'login', 'name', 'dbuser', 'myuser', 'your_username', 'youruser', 'db_user']);
const AUTHORITY = /[^\s/?#"'`<>\\]{0,512}/y;
const urlCredentials: Rule = {
  type: 'url-credentials', family: 'secret', severity: 'high', anchors: ['://'],
  // Raw-line probe: only URLs with userinfo need a closer look (`:\/\/` is caught as an escape).
  probe: ':\\/\\/[^\\s/?#"\'`<>\\\\]{1,512}@',
  match(text, at) {
    AUTHORITY.lastIndex = at + 3;
    const authority = AUTHORITY.exec(text)?.[0] ?? '';
    // Most URLs carry no userinfo: leave before any other work.
    const lastAt = authority.lastIndexOf('@');
    if (lastAt <= 0) return null;
    let s = at;
    while (s > 0 && at - s < 24 && /[A-Za-z0-9+.-]/.test(text[s - 1] ?? '')) s--;
    const scheme = text.slice(s, at).toLowerCase();
    if (!scheme) return null;
    const userinfo = authority.slice(0, lastAt);
    const colon = userinfo.indexOf(':');
    if (colon <= 0) return null;
    const user = userinfo.slice(0, colon);
    const pass = userinfo.slice(colon + 1);
    const host = authority.slice(lastAt + 1);
    if (pass.length < 4 || pass === user || !/[A-Za-z0-9]/.test(host)) return null;
    if (isTemplate(userinfo) || isTemplate(host) || /[{}$]/.test(host)) return null;
    // `user:password@` is a docs example; `admin:password@prod-host` is a real (weak) login.
    if (isPlaceholder(pass) && !(pass.toLowerCase() === 'password' && !GENERIC_USERS.has(user.toLowerCase()))) return null;
    // Credentials that only reach this machine leak nothing unless they look like a real password.
    if (LOOPBACK.test(host) && (pass.length < 8 || charClasses(pass) < 3)) return null;
    const type = DB_SCHEMES.has(scheme) ? 'database-connection-string' : 'url-credentials';
    const ps = at + 3 + colon + 1;
    return secret(type, ps, ps + pass.length);
  },
};

// `kubectl get secret -o yaml|json` prints base64 values that are the secrets themselves.
// `data:` may come before `kind:` (kubectl prints keys in order), so each `kind: Secret` looks
// for the first `data:` line of its document. The text's `data:` lines and blocks are read once
// per text and kept: searched afresh per anchor, a result of many `kind: Secret` lines cost the
// whole text each (13 s per 400 KB).
const DATA_LINE = /(?:^|\n)([ \t]*)["']?(?:data|stringData)["']?[ \t]*:[ \t]*(\{?)/g;
let k8sText: string | undefined;
let k8sData: RegExpExecArray[] = [];
let k8sDocs: number[] = [];
const k8sBlocks = new Map<number, Finding | null>();
forgetAfterEachScan(() => {
  if (k8sText === undefined) return;
  k8sText = undefined;
  // Each match array holds the text it was found in (`input`).
  k8sData = [];
  k8sDocs = [];
  k8sBlocks.clear();
});

function readDocuments(text: string): void {
  if (text === k8sText) return;
  k8sText = text;
  memoKept();
  k8sData = [];
  k8sDocs = [];
  k8sBlocks.clear();
  DATA_LINE.lastIndex = 0;
  for (let m; (m = DATA_LINE.exec(text)) !== null; ) k8sData.push(m);
  for (let i = text.indexOf('\n---'); i !== -1; i = text.indexOf('\n---', i + 1)) k8sDocs.push(i + 1);
}

/** Index of the first item of a sorted list at or past `pos`. */
function firstAtOrAfter<T>(list: readonly T[], pos: number, key: (t: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]!) < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function dataBlock(text: string, m: RegExpExecArray): Finding | null {
  const start = m.index + m[0].length;
  if (m[2] === '{') {
    const close = text.indexOf('}', start);
    return close > start ? secret('k8s-secret', start, close) : null;
  }
  const indent = (m[1] ?? '').length;
  let end = start;
  const lineRe = /\n([ \t]*)[^\n]*/y;
  for (;;) {
    lineRe.lastIndex = end;
    const l = lineRe.exec(text);
    if (!l || (l[1] ?? '').length <= indent || l[0].trim() === '') break;
    end = lineRe.lastIndex;
  }
  return end > start ? secret('k8s-secret', start, end) : null;
}

const k8sSecret: Rule = {
  type: 'k8s-secret', family: 'secret', severity: 'high', anchors: ['Secret'],
  match(text, at) {
    const before = text.slice(Math.max(0, at - 12), at);
    if (!/kind["']?\s*:\s*["']?$/.test(before) || isWord(text.charCodeAt(at + 6))) return null;
    readDocuments(text);
    // The document starts after the last `\n---` before the anchor (`lastIndexOf` in effect).
    const d = firstAtOrAfter(k8sDocs, at + 1, (p) => p) - 1;
    const docStart = d >= 0 ? k8sDocs[d]! : 0;
    const m = k8sData[firstAtOrAfter(k8sData, docStart, (x) => x.index)];
    if (!m || m.index >= at + 4000) return null;
    if (!k8sBlocks.has(m.index)) k8sBlocks.set(m.index, dataBlock(text, m));
    const f = k8sBlocks.get(m.index);
    return f ? { ...f } : null;
  },
};

// `{20}…*` rather than `{20,}`: see JWT.
const BEARER = /(?:Bearer|Basic|Token) +([A-Za-z0-9._~+/-]{20}[A-Za-z0-9._~+/-]*=*)/y;
const bearer: Rule = {
  type: 'authorization-header', family: 'secret', severity: 'high', anchors: ['Bearer ', 'Basic ', 'Token '],
  match(text, at) {
    BEARER.lastIndex = at;
    const m = BEARER.exec(text);
    if (!m?.[1] || isPlaceholder(m[1]) || !/\d/.test(m[1])) return null;
    const s = at + m[0].length - m[1].length;
    return secret('authorization-header', s, at + m[0].length);
  },
};

// A bare 32-byte hex key is indistinguishable from a transaction hash, so ask for context.
const WALLET_CONTEXT = /priv|secret|wallet|mnemonic|seed|key/i;
const secp256k1: Rule = {
  type: 'crypto-private-key', family: 'secret', severity: 'high', anchors: ['0x'],
  match(text, at) {
    const re = /0x[a-fA-F0-9]{64}(?![A-Za-z0-9])/y;
    re.lastIndex = at;
    if ((at > 0 && isWord(text.charCodeAt(at - 1))) || !re.exec(text)) return null;
    const ctx = text.slice(Math.max(0, at - 80), Math.min(text.length, at + 146));
    return WALLET_CONTEXT.test(ctx) ? secret('crypto-private-key', at, at + 66) : null;
  },
};

export const STRUCTURED_RULES: Rule[] = [privateKey, puttyKey, ...KEY_TAIL_RULES, jwt, urlCredentials, k8sSecret, bearer, secp256k1];
