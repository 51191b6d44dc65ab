import { AnswerTooLarge, MAX_ANSWER_BYTES } from './answer-limits.js';

/**
 * A Server-Sent Events reader for MCP's Streamable HTTP: only `data:` lines matter (each
 * event carries one JSON-RPC message); `id:`, `retry:` and comments are read past, since
 * the interposer does not resume broken streams. Fields may end in \n, \r\n or \r.
 */
export interface SseParser {
  /** Throws AnswerTooLarge when an event outgrows the limit: the stream must be dropped. */
  push(text: string): void;
  /** Dispatches an event left without its closing blank line (a stream cut off at EOF). */
  end(): void;
  /** Characters of the event being read, not yet dispatched. */
  heldChars(): number;
}

export function createSseParser(onEvent: (data: string, event: string) => void, maxEventChars = MAX_ANSWER_BYTES): SseParser {
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
  const dispatch = () => {
    if (data.length > 0) onEvent(data.join('\n'), event || 'message');
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
    if (name === 'data') {
      data.push(value);
      dataChars += value.length + 1;
    } else if (name === 'event') event = value;
  };
  const takeLine = (last: string) => {
    const line = pending.length === 0 ? last : pending.join('') + last;
    pending = [];
    pendingChars = 0;
    field(line);
  };
  return {
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
