import type { JsonObject } from "../jsonrpc/message.js";
import { SlotMap } from "../jsonrpc/slot-map.js";

/** Receives progress for one forwarded request, with the backend's token already removed. */
export type ProgressListener = (params: JsonObject) => void;

/**
 * Progress tokens on one backend connection. Many clients share a backend
 * and may all pick the same token, so each forwarded request gets a token of
 * ours; notifications coming back are routed by it.
 */
export class ProgressTokens {
  /** Listeners by token (a SlotMap: see there why not a Map). */
  private readonly listeners = new SlotMap<string, ProgressListener>();
  private next = 1;

  /** Allocate a token for a request and remember who listens. */
  register(listener: ProgressListener): string {
    const token = `sb-progress-${this.next++}`;
    this.listeners.set(token, listener);
    return token;
  }

  /** Forget a token (its request settled). */
  release(token: string): void {
    this.listeners.delete(token);
  }

  /** Route a backend's `notifications/progress`; false when no request owns the token. */
  deliver(params: JsonObject | undefined): boolean {
    const token = params?.["progressToken"];
    if (typeof token !== "string") return false;
    const listener = this.listeners.get(token);
    if (!listener) return false;
    listener(params as JsonObject);
    return true;
  }
}
