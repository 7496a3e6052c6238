/** Slots an IdTable can hold at once: an id is `use × SLOTS + slot`. */
const SLOTS = 2 ** 24;

/**
 * Values in flight under ids the table issues itself (requests we number),
 * kept in reused array slots: the id names its slot, so neither adding nor
 * finding nor removing touches a Map (see Roster for why a long-lived Map
 * with a new key per request is costly). Ids are positive integers, never
 * issued twice (each reuse of a slot gives a new id), so a late message
 * naming an old id finds nothing. At most 2^24 values at once.
 */
export class IdTable<V> {
  private readonly values: Array<V | undefined> = [];
  /** The id each slot holds now, 0 when it is free. */
  private readonly ids: number[] = [];
  /** How often each slot was used. */
  private readonly uses: number[] = [];
  private readonly free: number[] = [];
  private count = 0;

  /** Values held. */
  get size(): number {
    return this.count;
  }

  /** Hold `value`; answers its new id. */
  add(value: V): number {
    let slot: number;
    if (this.free.length > 0) slot = this.free.pop() as number;
    else {
      slot = this.values.length;
      if (slot >= SLOTS) throw new RangeError(`an IdTable holds at most ${SLOTS} values at once`);
      this.values.push(undefined);
      this.ids.push(0);
      this.uses.push(0);
    }
    const use = (this.uses[slot] as number) + 1;
    // Past 2^53 the ids would lose precision: start over (ids from 2^29 uses ago cannot still be in flight).
    this.uses[slot] = use * SLOTS + slot > Number.MAX_SAFE_INTEGER ? 1 : use;
    const id = (this.uses[slot] as number) * SLOTS + slot;
    this.ids[slot] = id;
    this.values[slot] = value;
    this.count++;
    return id;
  }

  /** The value of `id`, or undefined. */
  get(id: number): V | undefined {
    const slot = id % SLOTS;
    return this.ids[slot] === id ? this.values[slot] : undefined;
  }

  /** Remove `id`'s value; false when there was none. */
  delete(id: number): boolean {
    const slot = id % SLOTS;
    if (this.ids[slot] !== id || id === 0) return false;
    this.ids[slot] = 0;
    this.values[slot] = undefined;
    this.free.push(slot);
    this.count--;
    return true;
  }

  /** Values held, in slot order. */
  *valuesInOrder(): IterableIterator<V> {
    for (let slot = 0; slot < this.values.length; slot++) if (this.ids[slot] !== 0) yield this.values[slot] as V;
  }

  /** Remove every value (their ids are never issued again). */
  clear(): void {
    for (let slot = 0; slot < this.values.length; slot++) {
      if (this.ids[slot] === 0) continue;
      this.ids[slot] = 0;
      this.values[slot] = undefined;
      this.free.push(slot);
    }
    this.count = 0;
  }
}
