const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** How much of each end of an oversized line is kept: enough to read its id (see result-sniff.ts). */
const EDGE_BYTES = 512;

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

export interface LineLimit {
  maxLineBytes: number;
  /**
   * A line longer than maxLineBytes was dropped: its first and last bytes (to tell whose
   * answer it was) and its length. Called once the line ends (or the stream does); the
   * bytes in between are never held, so a peer that sends without end cannot fill memory.
   */
  onOverflow?(edges: { head: Buffer; tail: Buffer }, bytes: number): void;
  /** The moment a line passes maxLineBytes, before it ends (a peer to hang up on at once). */
  onExceeded?(): void;
}

export function createLineSplitter(onLine: (line: Buffer) => void, limit?: LineLimit): LineSplitter {
  const max = limit?.maxLineBytes ?? Infinity;
  let parts: Buffer[] = [];
  let pendingBytes = 0;
  // Set while the rest of an oversized line goes by: its first bytes, its latest bytes, its length.
  let dropping: { head: Buffer; tail: Buffer; bytes: number } | null = null;

  const startDropping = (piece: Buffer) => {
    // Only the edges are copied: the line may be tens of MB.
    const pieces = [...parts, piece];
    let head = Buffer.alloc(0);
    for (const p of pieces) {
      if (head.length >= EDGE_BYTES) break;
      head = Buffer.concat([head, p.subarray(0, EDGE_BYTES - head.length)]);
    }
    let tail = Buffer.alloc(0);
    for (let i = pieces.length - 1; i >= 0 && tail.length < EDGE_BYTES; i--) {
      tail = Buffer.concat([pieces[i]!.subarray(-(EDGE_BYTES - tail.length)), tail]);
    }
    dropping = { head, tail, bytes: pendingBytes + piece.length };
    parts = [];
    pendingBytes = 0;
    limit!.onExceeded?.();
  };
  const keepDropping = (piece: Buffer) => {
    const d = dropping!;
    d.bytes += piece.length;
    d.tail = piece.length >= EDGE_BYTES ? Buffer.from(piece.subarray(-EDGE_BYTES)) : Buffer.concat([d.tail, piece]).subarray(-EDGE_BYTES);
  };
  const finishDropping = () => {
    const d = dropping!;
    dropping = null;
    let tail = d.tail;
    if (tail.length > 0 && tail[tail.length - 1] === CARRIAGE_RETURN) tail = tail.subarray(0, tail.length - 1);
    limit!.onOverflow?.({ head: d.head, tail }, d.bytes);
  };

  return {
    push(chunk) {
      let start = 0;
      let newline = chunk.indexOf(NEWLINE, start);
      while (newline !== -1) {
        const piece = chunk.subarray(start, newline);
        start = newline + 1;
        newline = chunk.indexOf(NEWLINE, start);
        if (dropping) {
          keepDropping(piece);
          finishDropping();
          continue;
        }
        if (pendingBytes + piece.length > max) {
          startDropping(piece);
          finishDropping();
          continue;
        }
        let line: Buffer;
        if (pendingBytes > 0) {
          parts.push(piece);
          line = Buffer.concat(parts, pendingBytes + piece.length);
          parts = [];
          pendingBytes = 0;
        } else {
          line = piece;
        }
        if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, line.length - 1);
        if (line.indexOf(CARRIAGE_RETURN) !== -1) line = withoutCarriageReturns(line);
        if (line.length > 0) onLine(line);
      }
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        if (dropping) keepDropping(rest);
        else if (pendingBytes + rest.length > max) startDropping(rest);
        else {
          parts.push(rest);
          pendingBytes += rest.length;
        }
      }
    },
    end() {
      if (dropping) finishDropping();
      if (pendingBytes === 0) return null;
      const rest = Buffer.concat(parts, pendingBytes);
      parts = [];
      pendingBytes = 0;
      return rest;
    },
  };
}

/**
 * A bare CR inside a line is whitespace to JSON (inside a string it would have to be escaped),
 * but a line end to readers that split on it: Python's universal newlines, which the MCP
 * Python SDK reads stdio with, and Node's readline. A message between two of them would reach
 * such a peer as a line of its own that the firewall never saw (a tools/call nobody decided
 * on, an answer nobody scanned). Without them the line means the same to a JSON parser and is
 * one line to every reader.
 */
function withoutCarriageReturns(line: Buffer): Buffer {
  const out = Buffer.allocUnsafe(line.length);
  let length = 0;
  for (let start = 0; start < line.length; ) {
    let end = line.indexOf(CARRIAGE_RETURN, start);
    if (end === -1) end = line.length;
    length += line.copy(out, length, start, end);
    start = end + 1;
  }
  return out.subarray(0, length);
}
