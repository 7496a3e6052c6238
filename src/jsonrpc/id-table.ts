/** Slots of a new IdTable (a power of two); it doubles while more than half full. */
const INITIAL_SLOTS = 64;

/**
 * Values in flight under ids the table issues itself (requests we number),
 * kept in array slots: an id's slot is its low bits, so neither adding nor
 * finding nor removing touches a Map (a long-lived Map given a new key per
 * request replaces its hash table every few dozen insertions and promotes
 * them: see Roster). Ids count up from 1 like a plain counter (they stay
 * small integers), skipping any whose slot is taken by a value still held,
 * and are not issued again before 2^53, so a late message naming an old id
 * finds nothing.
 */
export class IdTable<V> {
  private values: Array<V | undefined> = new Array<V | undefined>(INITIAL_SLOTS).fill(undefined);
  /** The id each slot holds, 0 when free. */
  private ids: number[] = new Array<number>(INITIAL_SLOTS).fill(0);
  private mask = INITIAL_SLOTS - 1;
  private next = 1;
  private count = 0;

  /** Values held. */
  get size(): number {
    return this.count;
  }

  /** Hold `value`; answers its new id. */
  add(value: V): number {
    if ((this.count + 1) * 2 > this.ids.length) this.grow();
    let id = this.next;
    while (this.ids[id & this.mask] !== 0) id++;
    this.next = id >= Number.MAX_SAFE_INTEGER ? 1 : id + 1;
    const slot = id & this.mask;
    this.ids[slot] = id;
    this.values[slot] = value;
    this.count++;
    return id;
  }

  /** The value of `id`, or undefined. */
  get(id: number): V | undefined {
    const slot = id & this.mask;
    return id !== 0 && this.ids[slot] === id ? this.values[slot] : undefined;
  }

  /** Remove `id`'s value; false when there was none. */
  delete(id: number): boolean {
    const slot = id & this.mask;
    if (id === 0 || this.ids[slot] !== id) return false;
    this.ids[slot] = 0;
    this.values[slot] = undefined;
    this.count--;
    return true;
  }

  /** Values held, in slot order (deleting during the walk is safe). */
  *valuesInOrder(): IterableIterator<V> {
    for (let slot = 0; slot < this.ids.length; slot++) if (this.ids[slot] !== 0) yield this.values[slot] as V;
  }

  /** Remove every value (their ids are not issued again). */
  clear(): void {
    this.ids.fill(0);
    this.values.fill(undefined);
    this.count = 0;
  }

  /** Twice the slots: each held id moves to the slot of its low bits under the new mask (two ids that share one there shared one before). */
  private grow(): void {
    const size = this.ids.length * 2;
    const ids = new Array<number>(size).fill(0);
    const values = new Array<V | undefined>(size).fill(undefined);
    const mask = size - 1;
    for (let slot = 0; slot < this.ids.length; slot++) {
      const id = this.ids[slot] as number;
      if (id === 0) continue;
      ids[id & mask] = id;
      values[id & mask] = this.values[slot];
    }
    this.ids = ids;
    this.values = values;
    this.mask = mask;
  }
}
