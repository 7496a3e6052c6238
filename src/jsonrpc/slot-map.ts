/**
 * A map for entries that come and go once per request on a long-lived
 * object (requests in flight by id). It keeps keys in a Map but values in
 * a reused array of slots, so the Map itself holds only keys and slot
 * numbers.
 *
 * Why: a Map with steady churn reallocates its hash table every few dozen
 * insertions, and V8 keeps each replaced table's entries and a link to its
 * successor (for live iterators) until the table is collected. Once one of
 * those tables reaches the old generation, every later table and every value
 * they held is kept alive through young collections by the dead old one and
 * promoted: under load that was each request's whole object graph (its HTTP
 * request and response, closures, promises), ~170 MB promoted per 45k calls
 * and a full collection every few young ones. Here a replaced table holds
 * only numbers, and a value's slot is cleared when its entry is deleted.
 */
export class SlotMap<K, V> {
  private readonly slots = new Map<K, number>();
  private readonly values: Array<V | undefined> = [];
  private readonly free: number[] = [];

  /** Entries held. */
  get size(): number {
    return this.slots.size;
  }

  /** True when `key` has an entry. */
  has(key: K): boolean {
    return this.slots.has(key);
  }

  /** The value of `key`, or undefined. */
  get(key: K): V | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.values[slot];
  }

  /** Set the value of `key` (replacing any). */
  set(key: K, value: V): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.values[slot] = value;
      return;
    }
    const reused = this.free.pop();
    if (reused === undefined) {
      this.slots.set(key, this.values.length);
      this.values.push(value);
    } else {
      this.slots.set(key, reused);
      this.values[reused] = value;
    }
  }

  /** Remove `key`'s entry; false when there was none. */
  delete(key: K): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    this.values[slot] = undefined;
    this.free.push(slot);
    return true;
  }

  /** Remove every entry. */
  clear(): void {
    this.slots.clear();
    this.values.length = 0;
    this.free.length = 0;
  }

  /** Entries in insertion order (deleting during iteration is safe, as with a Map). */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    for (const [key, slot] of this.slots) yield [key, this.values[slot] as V];
  }

  /** Values in insertion order. */
  *valuesInOrder(): IterableIterator<V> {
    for (const slot of this.slots.values()) yield this.values[slot] as V;
  }
}
