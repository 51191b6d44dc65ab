import { AnswerTooLarge, MAX_ANSWER_BYTES } from './answer-limits.js';

/**
 * A Server-Sent Events reader for MCP's Streamable HTTP: `data:` lines carry the message
 * (one JSON-RPC message an event), and `id:` the last event id, which a reopened GET stream
 * sends back as Last-Event-ID so the server can replay what was missed (the spec's
 * resumability); `retry:` (the reconnection time, in ms) goes to `onRetry`, so the reopen
 * waits as the server asked; comments are read past. Fields may end in \n, \r\n or \r.
 */
export interface SseParser {
  /** Throws AnswerTooLarge when an event outgrows the limit: the stream must be dropped. */
  push(text: string): void;
  /** Dispatches an event left without its closing blank line (a stream cut off at EOF). */
  end(): void;
  /** Characters of the event being read, not yet dispatched. */
  heldChars(): number;
  /**
   * Lets go of the event being read (and the rest of it, as it comes): only its first and
   * last characters are kept, and handed to `onDropped` where the event would have been.
   */
  drop(): void;
}

/** What is kept of a dropped event: enough to tell whose it was (jsonrpc/result-sniff.ts sniffEdges). */
const EDGE_CHARS = 300;

/** The value of a `data:` line, or '' for any other field. */
function dataValue(line: string): string {
  if (!line.startsWith('data')) return '';
  const value = line.slice(line.indexOf(':') + 1);
  return value.startsWith(' ') ? value.slice(1) : value;
}

export function createSseParser(
  onEvent: (data: string, event: string, lastEventId: string) => void,
  maxEventChars = MAX_ANSWER_BYTES,
  onDropped: (head: string, tail: string, event: string) => void = () => {},
  initialEventId = '',
  onRetry: (ms: number) => void = () => {},
): SseParser {
  // The unfinished line, as the pieces it came in: joined once, when it ends. Appending to
  // one string would make each regex pass flatten (copy) everything before it, so a long
  // line in many chunks cost the square of its length.
  let pending: string[] = [];
  let pendingChars = 0;
  // The last chunk ended in \r: a \n opening the next one is the rest of that \r\n.
  let afterCr = false;
  let data: string[] = [];
  let dataChars = 0;
  let event = '';
  // As EventSource keeps it: set by an `id:` field (an empty one clears it), kept by the
  // events after that have none, and across a reconnection (`initialEventId`).
  let lastEventId = initialEventId;
  // An event being dropped: what it began and (so far) ends with. Its unfinished line is
  // cut to its tail as it grows (`cut`: its field name went with the rest; only data grows).
  let dropped: { head: string; tail: string; cut: boolean } | null = null;
  const dispatch = () => {
    if (dropped) onDropped(dropped.head, dropped.tail, event || 'message');
    else if (data.length > 0) onEvent(data.join('\n'), event || 'message', lastEventId);
    dropped = null;
    data = [];
    dataChars = 0;
    event = '';
  };
  const field = (line: string) => {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data' && dropped) {
      dropped.head ||= value.slice(0, EDGE_CHARS);
      dropped.tail = value.slice(-EDGE_CHARS);
    } else if (name === 'data') {
      data.push(value);
      dataChars += value.length + 1;
    } else if (name === 'event') event = value;
    // Taken as it is: only the GET stream's reader uses it, and checks it there (upstream.ts).
    else if (name === 'id') lastEventId = value;
    // The SSE spec: only ASCII digits; anything else is ignored.
    else if (name === 'retry' && /^\d{1,10}$/.test(value)) onRetry(Number(value));
  };
  const takeLine = (last: string) => {
    const line = pending.length === 0 ? last : pending.join('') + last;
    pending = [];
    pendingChars = 0;
    if (dropped?.cut) {
      dropped.cut = false;
      if (line !== '') return void (dropped.tail = line.slice(-EDGE_CHARS));
    }
    field(line);
  };
  const cutPending = () => {
    const line = pending.join('');
    if (dropped && !dropped.cut) dropped.head ||= dataValue(line).slice(0, EDGE_CHARS);
    pending = [line.slice(-EDGE_CHARS)];
    pendingChars = pending[0]!.length;
    if (dropped) dropped.cut = true;
  };
  return {
    drop() {
      if (dropped) return;
      dropped = { head: data[0]?.slice(0, EDGE_CHARS) ?? '', tail: data.at(-1)?.slice(-EDGE_CHARS) ?? '', cut: false };
      data = [];
      dataChars = 0;
      if (pendingChars > 0) cutPending();
    },
    push(text) {
      let start = afterCr && text.startsWith('\n') ? 1 : 0;
      afterCr = false;
      const lineEnd = /\r\n|\r|\n/g;
      lineEnd.lastIndex = start;
      let match: RegExpExecArray | null;
      while ((match = lineEnd.exec(text)) !== null) {
        takeLine(text.slice(start, match.index));
        start = match.index + match[0].length;
        if (match[0] === '\r' && start === text.length) afterCr = true;
      }
      if (start < text.length) {
        pending.push(text.slice(start));
        pendingChars += text.length - start;
      }
      if (dropped && pendingChars > 2 * EDGE_CHARS) cutPending();
      if (dataChars + pendingChars > maxEventChars) throw new AnswerTooLarge(maxEventChars);
    },
    heldChars: () => dataChars + pendingChars,
    end() {
      if (pendingChars > 0) takeLine('');
      afterCr = false;
      dispatch();
    },
  };
}
