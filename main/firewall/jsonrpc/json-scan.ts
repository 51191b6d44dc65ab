// Reads the exact source text of parts of a JSON message without parsing it into values:
// JSON.parse turns ids and numbers beyond 2^53, `1e400`, `-0` or `"\u00e9"` into values
// that JSON.stringify writes differently, and the relay must give them back as sent. Only
// for rare paths (odd ids, batches taken apart): the common path never scans.

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index just past the string starting at `i` (a quote), or -1. */
function skipString(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const quote = text.indexOf('"', j);
    if (quote === -1) return -1;
    let backslashes = 0;
    for (let k = quote - 1; k > i && text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    j = quote + 1;
  }
}

/** The index just past the JSON value starting at `i` (no leading whitespace), or -1. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return skipString(text, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 0x22) {
        j = skipString(text, j) - 1;
        if (j < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Whether every number in the JSON `text` is written as JSON.stringify writes what JSON.parse
 * read from it. `0.1000000000000000000001` reads as 0.1, and a server that parses decimals
 * exactly (Python's Decimal, BigDecimal) tells the two apart; so may one that tells `1.0`
 * from `1`.
 */
export function numbersAsRead(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = skipString(text, i);
      if (end === -1) return false;
      i = end - 1;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)?.[0];
      if (token === undefined || token !== JSON.stringify(Number(token))) return false;
      i += token.length - 1;
    }
  }
  return true;
}

/** The source text of each member of a JSON array, or null when `text` is not one. */
export function arrayMembers(text: string): string[] | null {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x5b) return null;
  const members: string[] = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 0x5d) return members;
  for (;;) {
    const end = skipValue(text, i);
    if (end === -1) return null;
    members.push(text.slice(i, end));
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === 0x5d) return members;
    if (c !== 0x2c) return null;
    i = skipSpace(text, i + 1);
  }
}

/** The source text of the value of `key` in the JSON object `text` (its own members only), or undefined. */
export function memberSource(text: string, key: string): string | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) return undefined;
  i = skipSpace(text, i + 1);
  // JSON.parse keeps the last of repeated keys, and so does this.
  let found: string | undefined;
  while (text.charCodeAt(i) === 0x22) {
    const keyEnd = skipString(text, i);
    if (keyEnd === -1) return undefined;
    const name = text.slice(i, keyEnd);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    i = skipSpace(text, i + 1);
    const end = skipValue(text, i);
    if (end === -1) return undefined;
    // A key written with escapes is compared by what it spells (rare: parse just the key).
    if (name === `"${key}"` || (name.includes('\\') && JSON.parse(name) === key)) found = text.slice(i, end);
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 0x2c) return text.charCodeAt(i) === 0x7d ? found : undefined;
    i = skipSpace(text, i + 1);
  }
  return undefined;
}

/**
 * The source text of each member of `batch`, parsed from `text`, by index: read on first
 * use, in one scan; JSON.stringify(member) when the text cannot be split to match.
 */
export function batchSources(text: string, batch: readonly unknown[]): (index: number) => string {
  let sources: string[] | null | undefined;
  return (index) => {
    if (sources === undefined) {
      sources = arrayMembers(text);
      if (sources?.length !== batch.length) sources = null;
    }
    return sources === null ? JSON.stringify(batch[index]) : sources[index]!;
  };
}

/** Keys an object holds before they are looked up in a set rather than one by one. */
const FEW_KEYS = 16;

/**
 * The first key that appears twice in one object of the JSON text `text` (which JSON.parse
 * accepted), or null. JSON.parse keeps the last of repeated keys; a server whose parser keeps
 * the first (gjson, fastjson, hand-rolled scanners) would read another method, tool or
 * argument than the firewall decided on and audited. One pass, strings skipped by indexOf.
 */
export function repeatedKey(text: string): string | null {
  // The keys of every open object, flat; `starts` holds where each open object's keys begin
  // (-1 for an open array); `sets`, by depth, a set of them once an object has many.
  const keys: string[] = [];
  const starts: number[] = [];
  let sets: Map<number, Set<string>> | undefined;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = skipString(text, i);
      if (end === -1) return null;
      const start = starts.length === 0 ? -1 : starts[starts.length - 1]!;
      // In an object, a string followed by `:` is a key; a value is followed by `,` or `}`.
      if (start !== -1 && text.charCodeAt(skipSpace(text, end)) === 0x3a) {
        const raw = text.slice(i + 1, end - 1);
        // A key written with escapes is compared by what it spells (`"n\u0061me"` is `"name"`).
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
        const set = sets?.get(starts.length);
        if (set) {
          if (set.has(key)) return key;
          set.add(key);
        } else {
          for (let k = start; k < keys.length; k++) if (keys[k] === key) return key;
          keys.push(key);
          if (keys.length - start > FEW_KEYS) (sets ??= new Map()).set(starts.length, new Set(keys.slice(start)));
        }
      }
      i = end;
      continue;
    }
    if (c === 0x7b) starts.push(keys.length);
    else if (c === 0x5b) starts.push(-1);
    else if (c === 0x7d || c === 0x5d) {
      const start = starts.pop()!;
      sets?.delete(starts.length + 1);
      if (start !== -1) keys.length = start;
    }
    i++;
  }
  return null;
}

/**
 * Whether the JSON object `text` names one of its own keys twice, or, for a batch, whether
 * any member object does. Only the top level: nested values are skipped whole (strings by
 * indexOf), so a large result costs a walk over its structure, not a parse. The firewall
 * routes and judges a message by its top-level keys as JSON.parse read them (the last copy);
 * a client whose parser keeps the first would read another id or method. The large-answer
 * path asks before any parse, so a text that is not one JSON value with nothing after it
 * counts too (`{…"id":5…} {…"id":7…}`: a client reading value after value would take the
 * second for an answer of its own): that sends the line to the parse, which refuses it.
 */
export function repeatsTopLevelKey(text: string): boolean {
  const repeatsOrRunsOn = (end: true | number) => end === true || end === -1 || skipSpace(text, end) !== text.length;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x5b) return repeatsOrRunsOn(objectRepeatsKey(text, i));
  i = skipSpace(text, i + 1);
  while (i < text.length && text.charCodeAt(i) !== 0x5d) {
    const end = text.charCodeAt(i) === 0x7b ? objectRepeatsKey(text, i) : skipValue(text, i);
    if (end === true || end === -1) return true;
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === 0x2c) i = skipSpace(text, i + 1);
    else if (text.charCodeAt(i) !== 0x5d) return true;
  }
  return repeatsOrRunsOn(i < text.length ? i + 1 : -1);
}

/**
 * Whether the message `text` (which JSON.parse accepted) may be read with another id or
 * method by a parser that keeps the first copy of a key (or, for the first-id sniff of a
 * large answer, the last): a top-level key repeated. Cheap when `"id"` and `"method"` occur
 * at most once and no key can be spelled with escapes, as in nearly every message; the
 * structural walk (which then looks at every top-level key) only otherwise.
 */
export function repeatsRoutingKey(text: string): boolean {
  const twice = (needle: string) => {
    const at = text.indexOf(needle);
    return at !== -1 && text.indexOf(needle, at + needle.length) !== -1;
  };
  if (!twice('"id"') && !twice('"method"') && !text.includes('\\u')) return false;
  return repeatsTopLevelKey(text);
}

/** true when the object at `i` repeats one of its own keys; else the index just past it (-1: not an object). */
function objectRepeatsKey(text: string, i: number): true | number {
  if (text.charCodeAt(i) !== 0x7b) return -1;
  // A list while short (most messages have a handful of keys), a set past that: a message
  // with 100 000 keys took seconds of one thread looked up one by one.
  const seen: string[] = [];
  let many: Set<string> | undefined;
  i = skipSpace(text, i + 1);
  while (text.charCodeAt(i) === 0x22) {
    const keyEnd = skipString(text, i);
    if (keyEnd === -1) return -1;
    const raw = text.slice(i + 1, keyEnd - 1);
    // A key written with escapes is compared by what it spells (`"\u0069d"` is `"id"`). The
    // large-answer path asks before any parse: a key that does not parse counts as repeated,
    // which sends the line to the parse, where it is refused as what it is.
    let key: string;
    try {
      key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
    } catch {
      return true;
    }
    if (many) {
      if (many.has(key)) return true;
      many.add(key);
    } else {
      if (seen.includes(key)) return true;
      seen.push(key);
      if (seen.length > FEW_KEYS) many = new Set(seen);
    }
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) return -1;
    const end = skipValue(text, skipSpace(text, i + 1));
    if (end === -1) return -1;
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 0x2c) return text.charCodeAt(i) === 0x7d ? i + 1 : -1;
    i = skipSpace(text, i + 1);
  }
  return text.charCodeAt(i) === 0x7d ? i + 1 : -1;
}
