/**
 * Which requests a server message relates to, carried past the relay. A Streamable HTTP
 * server sends a message that belongs to a call (its progress, a log line, a question to the
 * user) on that call's own response stream (spec: such messages SHOULD relate to the
 * originating request); the upstream adapter knows the stream, but the relay in between
 * (proxy/shim.ts) speaks newline-delimited JSON and keeps no such thing. The adapter notes
 * each such line with the ids of the requests it came with; the relay's copy of it, byte for
 * byte the same when the output stage passed it clean, takes the note back; a line the
 * output stage redacted is followed to its new text (rewrite). A line the relay dropped,
 * or took apart (a batch), matches nothing and goes where unrelated messages go.
 */
export interface RelatedLines {
  /** `line` came on the stream answering the requests `keys` (idKey form). */
  note(line: string, keys: string[]): void;
  /** The request keys noted for `line`, the oldest note first; [] when none. */
  take(line: string): string[];
  /** The relay changed `from` (redacted it) into `to`: the note follows. */
  rewrite(from: string, to: string): void;
}

/**
 * Notes kept: a note is taken back a moment after it is made unless the relay changed or
 * dropped its line, so these bounds only keep such leftovers (and a server sending large
 * messages) from growing the engine. A longer line goes unnoted.
 */
const MAX_NOTES = 256;
const MAX_NOTED_CHARS = 64 * 1024;

export function createRelatedLines(): RelatedLines {
  const notes: Array<{ line: string; keys: string[] }> = [];
  return {
    note(line, keys) {
      if (keys.length === 0 || line.length > MAX_NOTED_CHARS) return;
      notes.push({ line, keys });
      if (notes.length > MAX_NOTES) notes.shift();
    },
    take(line) {
      if (notes.length === 0 || line.length > MAX_NOTED_CHARS) return [];
      // The relay keeps the server's order, so the match is nearly always the first note.
      const index = notes.findIndex((n) => n.line === line);
      return index === -1 ? [] : notes.splice(index, 1)[0]!.keys;
    },
    rewrite(from, to) {
      const found = notes.find((n) => n.line === from);
      if (found) found.line = to;
    },
  };
}
