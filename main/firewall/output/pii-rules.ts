// Personal data. Numbers are validated (Luhn, mod-97, SSN ranges, octets) and weakly
// formatted phone numbers need a phone-ish word nearby, because logs and JSON are full
// of digit runs that are ids, sizes and timestamps.
import { ibanValid, isAlnum, isWord, luhnValid } from './checks.js';
import { IBAN_LENGTHS } from './iban-lengths.js';
import { repeat } from './lanes.js';
import { forgetAfterEachScan, memoKept } from './scan-memo.js';
import type { Finding, Rule, Severity } from './types.js';

const pii = (type: string, start: number, end: number, severity: Severity): Finding =>
  ({ type, family: 'pii', severity, start, end });

// Extensions that look like a TLD but are file names: `logo@2x.png`, `icon@3x.webp`.
const FILE_TLDS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'css', 'json', 'map', 'md', 'html', 'txt', 'pdf', 'zip', 'gz', 'tgz', 'lock', 'yaml', 'yml', 'toml', 'wasm', 'py', 'rb', 'go', 'rs', 'java', 'kt', 'swift', 'sh']);
// A domain is labels, each ending in `.`, then a TLD. `(?:label\.)+` made V8 keep a backtrack
// entry per label, so `jane@` + 16 MB of `a.` threw "Maximum call stack size exceeded" and the
// result was withheld. Now the regex takes at most 8 labels (an address has 2-4); its match
// stands when no label follows its TLD (so there were no more labels to try), else the labels
// are looped. A label runs to the next `.`, so each step matches one way; the TLD is the one
// after the last label where one fits, which is where the regex's backtracking stopped.
const LABEL_SOURCE = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?\\.';
const TLD_SOURCE = '([A-Za-z]{2,24})(?![A-Za-z0-9-])';
const DOMAIN = new RegExp(`(?:${LABEL_SOURCE}){1,8}${TLD_SOURCE}`, 'y');
const LABEL = new RegExp(LABEL_SOURCE, 'y');
const TLD = new RegExp(TLD_SOURCE, 'y');
/** Where the domain starting at `from` ends and where its TLD starts, or null. */
function domainAt(text: string, from: number): { end: number; tld: number } | null {
  DOMAIN.lastIndex = from;
  const m = DOMAIN.exec(text);
  if (m) {
    const tld = DOMAIN.lastIndex - m[1]!.length;
    LABEL.lastIndex = tld;
    if (!LABEL.test(text)) return { end: DOMAIN.lastIndex, tld };
  }
  let end = -1;
  let tld = -1;
  for (let p = from; ; ) {
    LABEL.lastIndex = p;
    if (!LABEL.test(text)) return end < 0 ? null : { end, tld };
    p = LABEL.lastIndex;
    TLD.lastIndex = p;
    if (TLD.test(text)) {
      end = TLD.lastIndex;
      tld = p;
    }
  }
}
/** Value of the hex digit `c`, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}
/**
 * Where the local part before `at` starts: at most 64 chars back, and after the last
 * percent-escape of a delimiter (`mailto%3A`, `%20`, an earlier `%40`), which ends it.
 * The walk stops at that escape, so it never goes back past the previous `%40` anchor.
 */
function localStart(text: string, at: number): number {
  let s = at;
  while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) {
    s--;
    if (text.charCodeAt(s) !== 37 || s + 2 >= at) continue;
    const hi = hexValue(text.charCodeAt(s + 1));
    const lo = hexValue(text.charCodeAt(s + 2));
    if (hi >= 0 && lo >= 0 && !isLocalChar(hi * 16 + lo)) return s + 3;
  }
  return s;
}
/** `[A-Za-z0-9._%+-]` */
function isLocalChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}
const email: Rule = {
  // `%40` is the `@` of a URL-encoded address (`?email=jane%40example.com`, a logged redirect),
  // `&#64;` / `&#x40;` the one of an HTML page that hides addresses from scrapers: a server
  // copying an address out that way would otherwise pass it unnoticed.
  type: 'email', family: 'pii', severity: 'medium', anchors: ['@', '%40', '&#64;', '&#x40;', '&commat;'],
  match(text, at, hit) {
    // The domain first: one sticky test turns down most hits (`%40%40…`, `a%40a%40…`), where
    // walking the local part back first cost seconds on a few MB.
    const d = domainAt(text, at + hit.length);
    if (!d || FILE_TLDS.has(text.slice(d.tld, d.end).toLowerCase())) return null;
    const s = localStart(text, at);
    if (s === at || text[s] === '.' || text[at - 1] === '.') return null;
    // `user:pass@host` is URL userinfo, `git@github.com:` an SSH remote: neither is a mailbox.
    const prev = text[s - 1];
    if (prev === ':' || prev === '/' || text.slice(s, at) === 'git') return null;
    return pii('email', s, d.end, 'medium');
  },
};

export const PHONE_CONTEXT = /phone|tel\b|tel:|telephone|mobile|cell|fax|desk|office|call|contact|sms|whatsapp|text me|reach|number|registered|answering|messages? to|\bph\b|\bmob\b/i;
// Numbers that sit next to a phone word but are something else: licences, street numbers.
const NOT_PHONE_BEFORE = /licen[cs]e|passport|located at|address|account|order|invoice|ticket|serial/i;
const NOT_PHONE_AFTER = /^\s+(?:[A-Z][a-z]+\s+)?(?:St|Street|Ave|Avenue|Rd|Road|Apt|Suite|Blvd|Lane|Way|Drive|Dr)\b/;
const SSN_CONTEXT = /ssn|social security|social-security|\bsocial\b/i;

function ssnValid(d: string): boolean {
  const area = Number(d.slice(0, 3));
  return area !== 0 && area !== 666 && area < 900 && d.slice(3, 5) !== '00' && d.slice(5) !== '0000';
}

function cardBrandOk(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === '4') return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 2131 || p4 === 1800) return n === 15;
  if (p2 === 30 || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 16;
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || p2 === 62 || p2 === 35) return n >= 16 && n <= 19;
  if (p2 === 50 || (p2 >= 56 && p2 <= 69) || p4 === 604) return n >= 12 && n <= 19; // Maestro
  return false;
}
// Groups apart by one separator kind: dashes, or spaces — one or two, as a fixed-width table
// prints them, and as a card reads once an invisible char between two spaces is dropped
// (`4111 ` + U+200B + ` 1111 …`: the model reads the number; the cue alone left it in clear).
const CARD_SPACE = ' {1,2}';
const CARD_GROUPS = new RegExp(
  `^(?:\\d{4}(?:${CARD_SPACE}\\d{4}${CARD_SPACE}\\d{4}${CARD_SPACE}\\d{1,7}|-\\d{4}-\\d{4}-\\d{1,7})` +
    `|\\d{4}(?:${CARD_SPACE}\\d{6}${CARD_SPACE}\\d{4,5}|-\\d{6}-\\d{4,5})|\\d{12,19})$`,
);

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d])/;
/** Length of a leading IPv4 address: positive if public, negative if reserved, 0 if none. */
function ipv4Length(run: string): number {
  const m = IPV4.exec(run);
  if (!m) return 0;
  const o = [m[1], m[2], m[3], m[4]].map((x) => (x && (x.length === 1 || x[0] !== '0') ? Number(x) : 999));
  if (o.some((x) => x > 255)) return 0;
  const [a = 0, b = 0] = o;
  // Loopback, private, link-local, CGNAT, multicast and netmasks identify no one.
  if (a === 0 || a === 10 || a === 127 || a >= 224 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return -m[0].length;
  return m[0].length;
}

// `version 1.2.3.4`, `v1.2.3.4`: four dotted numbers that are a release, not a host.
const VERSION_BEFORE = /(?:version|ver\.?|release|build|v)\s*$/i;
const DATE = /^(?:(?:19|20)\d\d[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:19|20)\d\d)/;
const STRONG_PHONE = /^(?:\+\d[\d ().-]{6,}|\(?\d{3}\)?[ .-]?\d{3}[-.]\d{4}|00?1[-. ]\d{3}[-. ]\d{3}[-. ]\d{4})$/;

// `[\d ().-]{5,30}`, spelled out (see `repeat`): 3x faster on digit-dense logs.
const RUN = `${repeat('[\\d ().\\-]', 5, 30)}\\d(?![A-Za-wyz0-9_]|[ ().\\-]\\d|-[0-9a-fA-F]{4}-)`;
const numeric: Rule = {
  type: 'number', family: 'pii', severity: 'medium', anchors: [], trigger: 'number', consumes: true,
  // The run may not stop short of a word char or more digits (2025-01-12T…, ids):
  // rejecting timestamps inside the regex is far cheaper than a call per log line.
  // The lookahead also refuses a run followed by `-a4e0-`: a UUID whose first group is all digits.
  pattern: `[+(]\\(?\\d${RUN}|\\b\\d${RUN}`,
  // In a raw JSON line `\\n0490 75 40 81` puts a word char before the digits: allow it.
  probe: `[+(]\\(?\\d${RUN}|\\b\\d${RUN}|\\\\[nrtbf"]\\d${RUN}`,
  match(text, at, hit) {
    if (at > 0) {
      const p = text.charCodeAt(at - 1);
      if (isWord(p) || (p === 46 && at > 1 && isAlnum(text.charCodeAt(at - 2)))) return null;
    }
    let run = hit;
    let end = at + run.length;
    const after = text.charCodeAt(end);
    if (after === 46 && isAlnum(text.charCodeAt(end + 1))) return null; // 1.2.3.4.5: a version
    const ip = ipv4Length(run);
    if (ip > 0) {
      if (isWord(text.charCodeAt(at + ip)) || VERSION_BEFORE.test(text.slice(Math.max(0, at - 12), at))) return null;
      return pii('ip-address', at, at + ip, 'low');
    }
    if (ip < 0) return null;
    if (isWord(after) && !(after === 120 && /^x\d{1,5}\b/.test(text.slice(end, end + 7)))) return null;
    const digits = run.replace(/\D/g, '');
    if (/^\d{3}-\d{2}-\d{4}$/.test(run) || (/^\d{3} ?\d{2} ?\d{4}$/.test(run) && SSN_CONTEXT.test(text.slice(Math.max(0, at - 40), at)))) {
      if (ssnValid(digits)) return pii('us-ssn', at, end, 'high');
    }
    if (run[0] !== '+' && run[0] !== '(' && CARD_GROUPS.test(run) && cardBrandOk(digits) && luhnValid(digits)) {
      return pii('credit-card', at, end, 'high');
    }
    if (digits.length < 7 || digits.length > 15 || DATE.test(run)) return null;
    const ext = /^x\d{1,5}/.exec(text.slice(end, end + 6));
    if (ext) end += ext[0].length;
    run = run.trim();
    if (STRONG_PHONE.test(run)) return pii('phone', at, at + run.length + (ext?.[0].length ?? 0), 'medium');
    const before = text.slice(Math.max(0, at - 60), at);
    const tail = text.slice(end, end + 14);
    if (NOT_PHONE_BEFORE.test(before.slice(-32)) || NOT_PHONE_AFTER.test(tail)) return null;
    return PHONE_CONTEXT.test(before + " " + tail) ? pii('phone', at, end, 'medium') : null;
  },
};

const isHexOrColon = (c: number) => (c >= 48 && c <= 58) || ((c | 32) >= 97 && (c | 32) <= 102);
// A run of hex digits and colons wakes the IPv6 lane at every other char (`1:2:1:2:…`), and
// each hit walks back up to 40 chars to where an address could start: 16 MB of that held the
// thread for ~5 s. The last walk is kept: a hit whose walk reaches the previous hit's position
// (all of it hex or colons) starts where that one did, 40 back at most, so each char is walked
// about once per scan. `none` is a start already matched that held no address: the hits of a
// short run all start where the run does.
const walked = { text: '', at: -1, start: 0, none: -1 };
forgetAfterEachScan(() => {
  walked.text = '';
  walked.none = -1;
});

function backToAddressStart(text: string, at: number): number {
  const prev = walked.text === text && walked.at <= at ? walked.at : -1;
  let s = at;
  while (s > 0 && at - s < 40 && s > prev && isHexOrColon(text.charCodeAt(s - 1))) s--;
  if (s === prev) s = Math.max(walked.start, at - 40);
  if (walked.text !== text) {
    walked.text = text;
    walked.none = -1;
  }
  walked.at = at;
  walked.start = s;
  memoKept();
  while (text.charCodeAt(s) === 58 && text.charCodeAt(s + 1) !== 58) s++;
  return s;
}

const IPV6_RUN = /[0-9A-Fa-f:]{2,39}/y;
const HEX_GROUPS = /^[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*$/;
function ipv6Valid(a: string): boolean {
  const halves = a.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? 0 : HEX_GROUPS.test(h) ? h.split(':').length : -99));
  const n = groups.reduce((x, y) => x + y, 0);
  return halves.length === 2 ? n >= 2 && n <= 7 && groups.every((g) => g >= 0) : n === 8;
}
const ipv6: Rule = {
  type: 'ip-address', family: 'pii', severity: 'low', anchors: [], trigger: 'ipv6',
  // Three colons, so clock times (12:34:56) never wake it; 2a00::1-short forms are given up.
  pattern: `:${repeat('[0-9A-Fa-f]', 0, 4)}:${repeat('[0-9A-Fa-f]', 0, 4)}:`,
  start: backToAddressStart,
  match(text, at) {
    if (at > 0 && (isWord(text.charCodeAt(at - 1)) || text[at - 1] === ':')) return null;
    if (walked.text === text && walked.none === at) return null;
    const f = addressAt(text, at);
    if (!f && walked.text === text) walked.none = at;
    return f;
  },
};

function addressAt(text: string, at: number): Finding | null {
  IPV6_RUN.lastIndex = at;
  const a = IPV6_RUN.exec(text)?.[0];
  if (!a || isWord(text.charCodeAt(at + a.length)) || !ipv6Valid(a) || !/\d/.test(a)) return null;
  // Link-local, unique-local and documentation ranges are nobody's address.
  if (/^(?:fe[89ab]|f[cd]|2001:0?db8:)/i.test(a)) return null;
  return pii('ip-address', at, at + a.length, 'low');
}

// One or two spaces between groups: a fixed-width table prints two, and an invisible char between
// two spaces leaves two once the folded view drops it (the model reads the IBAN either way).
const IBAN_BODY = repeat(' {0,2}[A-Za-z0-9]', 11, 34);
const COUNTRY = (() => {
  const byFirst = new Map<string, string>();
  for (const cc of Object.keys(IBAN_LENGTHS)) byFirst.set(cc[0]!, (byFirst.get(cc[0]!) ?? '') + cc[1]! + cc[1]!.toLowerCase());
  return `(?:${[...byFirst].map(([f, seconds]) => `[${f}${f.toLowerCase()}][${seconds}]`).join('|')})`;
})();
const iban: Rule = {
  type: 'iban', family: 'pii', severity: 'high', anchors: [], trigger: 'iban',
  // Only real country codes open a hit, so hex ids (af20286b…) never wake the lane.
  pattern: `\\b${COUNTRY}\\d\\d${IBAN_BODY}`,
  // On a raw line the char before the country code is a non-word char or the letter of a
  // `\n`-style escape. Both forms take exactly two chars before the code (`[^]` pads the
  // first), so every alternative has its `\d\d` at the same offset and V8 skips ahead on
  // it: ~3 µs per 10 KB against ~7 for `\b…|\\[nrtbf"]…`. The padding needs a char before
  // the hit, which a JSON line always has: a string cannot open it (see `isCleanJson`).
  // Eleven body chars are enough to say "look closer"; the lane itself checks the length.
  probe: `(?:[^][^A-Za-z0-9_]|\\\\[nrtbf])${COUNTRY}\\d\\d${repeat(' {0,2}[A-Za-z0-9]', 11)}`,
  match(text, at, hit) {
    if (at > 0 && isAlnum(text.charCodeAt(at - 1))) return null;
    const len = IBAN_LENGTHS[hit.slice(0, 2).toUpperCase()];
    if (!len) return null;
    let compact = '';
    let i = 0;
    while (i < hit.length && compact.length < len) {
      if (hit[i] !== ' ') compact += hit[i];
      i++;
    }
    if (compact.length !== len || isAlnum(text.charCodeAt(at + i))) return null;
    const mixed = compact !== compact.toUpperCase() && compact !== compact.toLowerCase();
    if (mixed || !ibanValid(compact.toUpperCase())) return null;
    return pii('iban', at, at + i, 'high');
  },
};

export const PII_RULES: Rule[] = [email, numeric, ipv6, iban];
