// A shim keeps a few tables for as long as it runs that hold a call only while it is under
// way (the requests in flight, the calls dispatched), so they empty again after each answer.
// V8 keeps a table that old in its old generation, and when an add or a delete makes it
// rehash (it shrinks as it empties and grows back on the next add), it allocates the new
// table in the old generation too: ~90 B (Map) or ~57 B (Set) per call that only a full GC
// takes back. In a busy shim that was most of what piled up between full GCs, and so of its
// private memory (test/bench/memory-probe.mjs). Emptied, these tables start over with a new,
// young one instead, which a scavenge frees with the rest of the call: no old-generation
// garbage, and cheaper than the rehash (~60 against ~400 ns in a micro-benchmark).

/** A Map whose table starts over when its last entry is deleted (see above). */
export class CallMap<K, V> {
  private map = new Map<K, V>();

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): this {
    this.map.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    if (this.map.size !== 1) return this.map.delete(key);
    if (!this.map.has(key)) return false;
    this.map = new Map();
    return true;
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }
}

/** A Set whose table starts over when its last member is deleted: a CallMap of its members. */
export class CallSet<T> {
  private readonly members = new CallMap<T, true>();

  get size(): number {
    return this.members.size;
  }

  add(value: T): this {
    this.members.set(value, true);
    return this;
  }

  delete(value: T): boolean {
    return this.members.delete(value);
  }

  /**
   * An iteration under way when the table starts over goes on over the old one, so it does
   * not see members added after that; deleting the member in hand, as a sweep does, is safe.
   */
  [Symbol.iterator](): IterableIterator<T> {
    return this.members.keys();
  }
}
