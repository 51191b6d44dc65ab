/**
 * A Server-Sent Events reader for MCP's Streamable HTTP: only `data:` lines matter (each
 * event carries one JSON-RPC message); `id:`, `retry:` and comments are read past, since
 * the interposer does not resume broken streams. Fields may end in \n, \r\n or \r.
 */
export interface SseParser {
  push(text: string): void;
  /** Dispatches an event left without its closing blank line (a stream cut off at EOF). */
  end(): void;
}

export function createSseParser(onEvent: (data: string, event: string) => void): SseParser {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  const dispatch = () => {
    if (data.length > 0) onEvent(data.join('\n'), event || 'message');
    data = [];
    event = '';
  };
  const field = (line: string) => {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') data.push(value);
    else if (name === 'event') event = value;
  };
  return {
    push(text) {
      buffer += text;
      let match: RegExpExecArray | null;
      const lineEnd = /\r\n|\r|\n/g;
      let start = 0;
      while ((match = lineEnd.exec(buffer)) !== null) {
        // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        field(buffer.slice(start, match.index));
        start = match.index + match[0].length;
      }
      buffer = buffer.slice(start);
    },
    end() {
      if (buffer) field(buffer);
      buffer = '';
      dispatch();
    },
  };
}
