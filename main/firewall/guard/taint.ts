import { nameWords } from '../policy/action-class.js';
import { combinedEscalation } from './asks-every-time.js';
import { createShingleSet } from './shingle-set.js';

// Indirect prompt injection (seed risk 2): text returned by an untrusted tool (web
// pages, issues, mail) ends up in a write call's arguments. We fingerprint untrusted
// output as overlapping 6-word shingles and look for them in the arguments of writes.
// Decisions rest on the requested action and its data, never on the model's wording.
const SHINGLE_WORDS = 6;
const WINDOW = 6;

const UNTRUSTED_WORDS = new Set(['fetch', 'browse', 'scrape', 'crawl', 'web', 'url', 'http', 'https', 'webpage', 'page', 'rss', 'feed', 'email', 'mail', 'inbox', 'issue', 'issues', 'comment', 'comments', 'tweet', 'post', 'posts', 'message', 'messages']);

export interface ToolTrustHints {
  name: string;
  annotations?: { openWorldHint?: unknown };
}

/** Untrusted by policy, by the openWorldHint annotation, or by a name that reads outside content. */
export function isUntrustedTool(tool: ToolTrustHints, policySays: boolean): boolean {
  if (policySays) return true;
  if (tool.annotations?.openWorldHint === true) return true;
  return nameWords(tool.name).some((word) => UNTRUSTED_WORDS.has(word));
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Two independent 32-bit hashes of each word (FNV-1a-like, two bases and multipliers). */
function wordHashes(list: readonly string[]): [Uint32Array, Uint32Array] {
  const a = new Uint32Array(list.length);
  const b = new Uint32Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const word = list[i]!;
    let x = 0x811c9dc5;
    let y = 0x9747b28c;
    for (let k = 0; k < word.length; k++) {
      const c = word.charCodeAt(k);
      x = Math.imul(x ^ c, 0x01000193);
      y = Math.imul(y ^ c, 0x5bd1e995);
      y ^= y >>> 15;
    }
    a[i] = x;
    b[i] = y;
  }
  return [a, b];
}

/**
 * Calls `each` with the two hashes of every 6-word shingle of `text` (and its words and
 * where it starts, to spell it), without building the shingles' strings; stops at true.
 */
function forEachShingle(text: string, each: (h1: number, h2: number, list: string[], start: number) => boolean | void): void {
  const list = words(text);
  if (list.length < SHINGLE_WORDS) return;
  const [a, b] = wordHashes(list);
  for (let i = 0; i + SHINGLE_WORDS <= list.length; i++) {
    let h1 = 0x2545f491;
    let h2 = 0x6c8e9cf5;
    for (let k = i; k < i + SHINGLE_WORDS; k++) {
      h1 = Math.imul(h1 ^ a[k]!, 0x9e3779b1);
      h1 ^= h1 >>> 16;
      h2 = Math.imul(h2 ^ b[k]!, 0x85ebca6b);
      h2 ^= h2 >>> 13;
    }
    // 0 marks a free slot in the set (shingle-set.ts).
    if (each(h1 >>> 0, h2 >>> 0 || 1, list, i) === true) return;
  }
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* strings(item);
}

/** At most as many pairs as the set keeps of its newest: more would only push out each other. */
const MAX_SHARED_PAIRS = 100_000;

/** A growing list of (hash1, hash2) pairs, of which the last MAX_SHARED_PAIRS are kept. */
function createPairs() {
  let pairs = new Uint32Array(256);
  let count = 0;
  return {
    push(h1: number, h2: number) {
      if (count * 2 === pairs.length) {
        if (count < MAX_SHARED_PAIRS) {
          const grown = new Uint32Array(Math.min(pairs.length * 2, MAX_SHARED_PAIRS * 2));
          grown.set(pairs);
          pairs = grown;
        } else {
          // Full: the older half goes.
          pairs.copyWithin(0, pairs.length / 2);
          count /= 2;
        }
      }
      pairs[count * 2] = h1;
      pairs[count * 2 + 1] = h2;
      count++;
    },
    last: () => pairs.subarray(0, count * 2),
  };
}

export interface TaintHit {
  ruleId: 'taint-untrusted-text' | 'taint-retrieval-heavy';
  reason: string;
}

export interface TaintTracker {
  /** Records a tool result: untrusted text is fingerprinted, and the call counts toward the retrieval window. */
  observe(tool: string, untrusted: boolean, result: unknown): void;
  /** Fingerprints of untrusted text another shim of the same client read (`source`: server/tool). */
  absorb(source: string, hashes: Uint32Array): void;
  /** For a write: does it carry untrusted text, or follow a retrieval-heavy stretch? Both, when both (combinedEscalation). */
  check(args: unknown, retrievalHeavyCalls: number): TaintHit | null;
}

/**
 * `share` gets the fingerprints of each untrusted result, for the client's other shims: text a
 * web page put in the model's context through one server must taint a write to another (the
 * retrieval window and the guards stay this session's own).
 */
export function createTaintTracker(share: (tool: string, hashes: Uint32Array) => void = () => {}): TaintTracker {
  // The last 100 000-200 000 shingles of untrusted output (shingle-set.ts).
  const seen = createShingleSet();
  const lastResults: boolean[] = [];
  const carriedText = (args: unknown): TaintHit | null => {
    let hit: TaintHit | null = null;
    for (const text of strings(args)) {
      forEachShingle(text, (h1, h2, list, start) => {
        const source = seen.find(h1, h2);
        if (source === undefined) return false;
        const shingle = list.slice(start, start + SHINGLE_WORDS).join(' ');
        hit = { ruleId: 'taint-untrusted-text', reason: `its arguments carry text returned by the untrusted tool '${source}' ("${shingle}…")` };
        return true;
      });
      if (hit) return hit;
    }
    return null;
  };
  const retrievalHeavy = (retrievalHeavyCalls: number): TaintHit | null => {
    const untrusted = lastResults.filter(Boolean).length;
    if (untrusted < retrievalHeavyCalls) return null;
    return { ruleId: 'taint-retrieval-heavy', reason: `it follows ${untrusted} untrusted results in the last ${lastResults.length} calls` };
  };
  return {
    observe(tool, untrusted, result) {
      lastResults.push(untrusted);
      if (lastResults.length > WINDOW) lastResults.shift();
      if (!untrusted) return;
      const shared = createPairs();
      for (const text of strings(result)) {
        forEachShingle(text, (h1, h2) => {
          seen.add(h1, h2, tool);
          shared.push(h1, h2);
        });
      }
      share(tool, shared.last());
    },
    absorb(source, hashes) {
      for (let i = 0; i + 1 < hashes.length; i += 2) seen.add(hashes[i]!, hashes[i + 1]!, source);
    },
    check(args, retrievalHeavyCalls) {
      return combinedEscalation([carriedText(args), retrievalHeavy(retrievalHeavyCalls)]) ?? null;
    },
  };
}
