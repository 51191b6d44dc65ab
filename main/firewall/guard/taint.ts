import { nameWords } from '../policy/action-class.js';

// Indirect prompt injection (seed risk 2): text returned by an untrusted tool (web
// pages, issues, mail) ends up in a write call's arguments. We fingerprint untrusted
// output as overlapping 6-word shingles and look for them in the arguments of writes.
// Decisions rest on the requested action and its data, never on the model's wording.
const SHINGLE_WORDS = 6;
const MAX_SHINGLES = 200_000;
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

function* shingles(text: string): Generator<string> {
  const list = words(text);
  for (let i = 0; i + SHINGLE_WORDS <= list.length; i++) yield list.slice(i, i + SHINGLE_WORDS).join(' ');
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* strings(item);
}

export interface TaintHit {
  ruleId: 'taint-untrusted-text' | 'taint-retrieval-heavy';
  reason: string;
}

export interface TaintTracker {
  /** Records a tool result: untrusted text is fingerprinted, and the call counts toward the retrieval window. */
  observe(tool: string, untrusted: boolean, result: unknown): void;
  /** For a write: does it carry untrusted text, or follow a retrieval-heavy stretch? */
  check(args: unknown, retrievalHeavyCalls: number): TaintHit | null;
}

export function createTaintTracker(): TaintTracker {
  const seen = new Map<string, string>();
  const lastResults: boolean[] = [];
  return {
    observe(tool, untrusted, result) {
      lastResults.push(untrusted);
      if (lastResults.length > WINDOW) lastResults.shift();
      if (!untrusted) return;
      for (const text of strings(result)) {
        for (const shingle of shingles(text)) {
          if (seen.size >= MAX_SHINGLES) seen.delete(seen.keys().next().value!);
          seen.set(shingle, tool);
        }
      }
    },
    check(args, retrievalHeavyCalls) {
      for (const text of strings(args)) {
        for (const shingle of shingles(text)) {
          const source = seen.get(shingle);
          if (source) return { ruleId: 'taint-untrusted-text', reason: `its arguments carry text returned by the untrusted tool '${source}' ("${shingle}…")` };
        }
      }
      const untrusted = lastResults.filter(Boolean).length;
      if (untrusted >= retrievalHeavyCalls) {
        return { ruleId: 'taint-retrieval-heavy', reason: `it follows ${untrusted} untrusted results in the last ${lastResults.length} calls` };
      }
      return null;
    },
  };
}
