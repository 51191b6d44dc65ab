import type { PendingApproval } from './approval-queue.js';

// What an approver is shown of a parked call's arguments. Part of the queue, not of a view:
// the queue's own refusal of wide scopes (scope-refusal.ts) depends on whether the preview cut them.

const MAX_PREVIEW_CHARS = 2_000;
const MAX_STRING_CHARS = 300;

export interface ArgumentsPreview {
  text: string;
  /** Whether `text` leaves out anything of the arguments the server is sent. */
  cut: boolean;
  /** Characters of the full text (`argumentsText`). */
  totalChars: number;
}

// Arguments are fixed once a call is parked, and the dashboard lists the queue on every
// change: each call's preview is worked out once. The full text (up to 64 MB) is built only
// when someone asks to read it (argumentsText); a list needs its length alone.
const previews = new WeakMap<object, ArgumentsPreview>();

/**
 * All of the arguments, as the approver may read them before allowing: pretty-printed, or,
 * when a number in them did not survive JSON.parse (`argumentsSource`), as the client wrote
 * them: the parsed ones would show 9007199254740992 for the …993 the server is sent.
 * Built anew on each call: only "Show all" and `approvals show` need it.
 */
export function argumentsText(pending: Pick<PendingApproval, 'arguments' | 'argumentsSource'>): string {
  return pending.argumentsSource ?? JSON.stringify(pending.arguments ?? {}, null, 2) ?? '{}';
}

/** Characters `JSON.stringify(value)` gives for a string, counted without writing it out. */
function quotedLength(text: string): number {
  let n = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) n += 2;
    else if (c < 0x20) n += 6;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 2;
        i++;
      } else n += 6; // a lone surrogate is written \udxxx
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 1;
  }
  return n;
}

/**
 * Characters of `JSON.stringify(value, null, 2)` at nesting `depth`, counted without
 * building the text; undefined for anything JSON.parse does not give (the caller then
 * writes the text out once to count it).
 */
function prettyLength(value: unknown, depth: number): number | undefined {
  if (value === null) return 4;
  switch (typeof value) {
    case 'boolean': return value ? 4 : 5;
    case 'number': return Number.isFinite(value) ? String(value).length : 4;
    case 'string': return quotedLength(value);
    case 'object': break;
    default: return undefined;
  }
  const inner = 2 * (depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) return 2;
    // "[", each item on a line of its own ("\n", indent, item), "," between, "\n", indent, "]"
    let n = 1 + (value.length - 1) + 1 + 2 * depth + 1;
    for (const item of value) {
      const len = prettyLength(item, depth + 1);
      if (len === undefined) return undefined;
      n += 1 + inner + len;
    }
    return n;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return undefined;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0) return 2;
  // The same, each member "key": value
  let n = 1 + (keys.length - 1) + 1 + 2 * depth + 1;
  for (const key of keys) {
    const len = prettyLength((value as Record<string, unknown>)[key], depth + 1);
    if (len === undefined) return undefined;
    n += 1 + inner + quotedLength(key) + 2 + len;
  }
  return n;
}

/** Characters of `argumentsText(pending)`, without writing the text out when the arguments are plain JSON. */
export function argumentsChars(pending: Pick<PendingApproval, 'arguments' | 'argumentsSource'>): number {
  if (pending.argumentsSource !== undefined) return pending.argumentsSource.length;
  return prettyLength(pending.arguments ?? {}, 0) ?? argumentsText(pending).length;
}

/**
 * Arguments as the approver reads them first: long strings cut in the middle of nowhere
 * rather than dropped (the start of a path or a command is what matters), and the whole
 * bounded so a 5 MB write_file body cannot freeze a dialog. `cut` says whether anything was
 * left out: then "Show all" (dashboard) or `approvals show ID` (CLI) shows the rest, and
 * only "once" may be given until someone did (wideScopeRefusal).
 */
export function previewArguments(pending: Pick<PendingApproval, 'arguments' | 'argumentsSource'>): ArgumentsPreview {
  const cached = previews.get(pending);
  if (cached) return cached;
  const preview = buildPreview(pending);
  previews.set(pending, preview);
  return preview;
}

function buildPreview(pending: Pick<PendingApproval, 'arguments' | 'argumentsSource'>): ArgumentsPreview {
  const totalChars = argumentsChars(pending);
  let stringsCut = false;
  const shortened = pending.argumentsSource ?? JSON.stringify(
    pending.arguments ?? {},
    (_key, value: unknown) => {
      if (typeof value !== 'string' || value.length <= MAX_STRING_CHARS) return value;
      stringsCut = true;
      return `${value.slice(0, MAX_STRING_CHARS)}… (${value.length} chars)`;
    },
    2,
  ) ?? '{}';
  if (shortened.length > MAX_PREVIEW_CHARS) {
    return { text: `${shortened.slice(0, MAX_PREVIEW_CHARS)}\n… (truncated)`, cut: true, totalChars };
  }
  return { text: shortened, cut: stringsCut, totalChars };
}
