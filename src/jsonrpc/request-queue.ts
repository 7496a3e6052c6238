import type { JsonRpcId, JsonRpcRequest } from "./message.js";

/**
 * Incoming requests waiting for a slot: first in, first out, with O(1)
 * membership by id and O(1) removal of a cancelled one. (A Map alone is not
 * enough: taking its first entry after many deletions from the front scans
 * the deleted slots, which made a long queue quadratic.)
 */
export class RequestQueue {
  private items: JsonRpcRequest[] = [];
  private head = 0;
  private readonly byId = new Map<JsonRpcId, JsonRpcRequest>();

  /** Requests waiting. */
  get size(): number {
    return this.byId.size;
  }

  /** True while a request with this id waits. */
  has(id: JsonRpcId): boolean {
    return this.byId.has(id);
  }

  /** Add at the end. */
  push(request: JsonRpcRequest): void {
    this.byId.set(request.id, request);
    this.items.push(request);
  }

  /** Remove a waiting request by id (it was cancelled); false when none waits. */
  remove(id: JsonRpcId): boolean {
    return this.byId.delete(id);
  }

  /** Take the oldest waiting request, skipping removed ones. */
  shift(): JsonRpcRequest | undefined {
    while (this.head < this.items.length) {
      const request = this.items[this.head]!;
      this.items[this.head++] = undefined as unknown as JsonRpcRequest;
      // A removed request may have left its id to a newer one: only the same object counts.
      if (this.byId.get(request.id) === request) {
        this.byId.delete(request.id);
        this.compact();
        return request;
      }
    }
    this.compact();
    return undefined;
  }

  /** Drop everything. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.byId.clear();
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
