const NEWLINE = 0x0a;

/**
 * Splits a byte stream into newline-delimited messages without decoding it: the relay
 * forwards the original bytes, so a message the firewall does not police reaches the
 * other side exactly as sent. Chunks of a multi-MB message are kept as a list and joined
 * once, so a large result costs one copy rather than one per chunk.
 */
export interface LineSplitter {
  push(chunk: Buffer): void;
  /** Returns the unterminated remainder (a message cut off by EOF), if any. */
  end(): Buffer | null;
}

export function createLineSplitter(onLine: (line: Buffer) => void): LineSplitter {
  let parts: Buffer[] = [];
  let pendingBytes = 0;
  return {
    push(chunk) {
      let start = 0;
      let newline = chunk.indexOf(NEWLINE, start);
      while (newline !== -1) {
        const piece = chunk.subarray(start, newline);
        let line: Buffer;
        if (pendingBytes > 0) {
          parts.push(piece);
          line = Buffer.concat(parts, pendingBytes + piece.length);
          parts = [];
          pendingBytes = 0;
        } else {
          line = piece;
        }
        if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
        if (line.length > 0) onLine(line);
        start = newline + 1;
        newline = chunk.indexOf(NEWLINE, start);
      }
      if (start < chunk.length) {
        parts.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      }
    },
    end() {
      if (pendingBytes === 0) return null;
      const rest = Buffer.concat(parts, pendingBytes);
      parts = [];
      pendingBytes = 0;
      return rest;
    },
  };
}
