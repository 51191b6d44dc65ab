// The taint tracker's memory of untrusted text: up to 200 000 six-word shingles. Kept as
// strings in a Map they took ~16 MB of a shim's heap after ~130 web pages of 10 KB (and V8
// lets old space grow to a few times that before a full GC), in a process meant to stay near
// 60 MB. Kept as two 32-bit hashes each in typed arrays they take ~2.5 MB at most, off the
// heap. A hash can collide, and a collision can only make a write look tainted, which asks a
// person: never the other way, so hashing costs no protection.

/** Entries per generation: two generations keep the last 100 000–200 000 shingles. */
const GENERATION_ENTRIES = 100_000;
/** Slots per generation, a power of two: at most ~76 % full, so linear probes stay short. */
const SLOTS = 1 << 17;
const MASK = SLOTS - 1;
const NO_SOURCE = -1;

/** One open-addressing table of (hash1, hash2) → source index. hash2 is never 0, so 0 marks a free slot. */
class Generation {
  readonly hashes = new Uint32Array(SLOTS * 2);
  readonly sources = new Uint16Array(SLOTS);
  entries = 0;

  /** The slot holding (h1, h2), or the free slot where it would go. */
  slot(h1: number, h2: number): number {
    let i = h1 & MASK;
    for (;;) {
      const at = i * 2;
      const stored = this.hashes[at + 1]!;
      if (stored === 0 || (stored === h2 && this.hashes[at] === h1)) return i;
      i = (i + 1) & MASK;
    }
  }

  find(h1: number, h2: number): number {
    const i = this.slot(h1, h2);
    return this.hashes[i * 2 + 1] === 0 ? NO_SOURCE : this.sources[i]!;
  }

  put(h1: number, h2: number, source: number): void {
    const i = this.slot(h1, h2);
    if (this.hashes[i * 2 + 1] === 0) {
      this.hashes[i * 2] = h1;
      this.hashes[i * 2 + 1] = h2;
      this.entries++;
    }
    this.sources[i] = source;
  }

  clear(): void {
    this.hashes.fill(0);
    this.entries = 0;
  }
}

/** Shingles by their two hashes, each with the tool whose output held it. */
export interface ShingleSet {
  add(h1: number, h2: number, tool: string): void;
  /** The tool whose output held the shingle, or undefined. */
  find(h1: number, h2: number): string | undefined;
}

export function createShingleSet(): ShingleSet {
  // Allocated on the first untrusted result: most sessions never read one.
  let current: Generation | null = null;
  let previous: Generation | null = null;
  const tools: string[] = [];
  const toolIndex = new Map<string, number>();
  const indexOf = (tool: string) => {
    let index = toolIndex.get(tool);
    if (index === undefined) {
      // Past 65 535 tool names (a client inventing them), the last one stands for the rest.
      index = Math.min(tools.length, 0xffff);
      if (index === tools.length) tools.push(tool);
      toolIndex.set(tool, index);
    }
    return index;
  };
  return {
    add(h1, h2, tool) {
      current ??= new Generation();
      if (current.entries >= GENERATION_ENTRIES) {
        // The oldest generation goes; its buffers are the next one's.
        const next: Generation = previous ?? new Generation();
        next.clear();
        previous = current;
        current = next;
      }
      current.put(h1, h2, indexOf(tool));
    },
    find(h1, h2) {
      if (!current) return undefined;
      let source = current.find(h1, h2);
      if (source === NO_SOURCE && previous) source = previous.find(h1, h2);
      return source === NO_SOURCE ? undefined : tools[source];
    },
  };
}
