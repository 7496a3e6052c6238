import type { WireText } from "../jsonrpc/serialize.js";

/** Advisory messages a slow reader did not get, counted over one episode. */
export interface ShedCount {
  /** Dropped: no coalescing key, no room to hold them, or the reader went away. */
  dropped: number;
  /** Replaced by a newer message with the same coalescing key before being written. */
  coalesced: number;
  /** The bound that was exceeded (`maxBufferedBytes`). */
  limitBytes: number;
}

/** Size of a wire text as the outbound queue counts it. */
export function sizeOf(text: WireText): number {
  return typeof text === "string" ? text.length : text.byteLength;
}

/**
 * The advisory messages an OutboundQueue holds back while its reader is
 * slow: the newest per coalescing key, in first-held order, at most
 * `maxBytes` of them; and the count of those shed since it was last taken.
 */
export class AdvisoryHold {
  private readonly maxBytes: number;
  private held: Map<string, WireText> | undefined;
  /** Bytes held now. */
  bytes = 0;
  private dropped = 0;
  private coalesced = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Hold `text` under `key`, replacing an older one; without a key, or without room, it is dropped. */
  offer(text: WireText, size: number, key: string | undefined): void {
    if (key !== undefined) {
      const held = (this.held ??= new Map());
      const previous = held.get(key);
      const bytes = this.bytes - (previous === undefined ? 0 : sizeOf(previous)) + size;
      if (bytes <= this.maxBytes) {
        if (previous !== undefined) this.coalesced++;
        held.set(key, text);
        this.bytes = bytes;
        return;
      }
    }
    this.dropped++;
  }

  /** Count one message dropped without being offered. */
  drop(): void {
    this.dropped++;
  }

  /** Hand every held text to `each`, in first-held order, and hold nothing. */
  release(each: (text: WireText) => void): void {
    if (this.held === undefined) return;
    for (const text of this.held.values()) each(text);
    this.held.clear();
    this.bytes = 0;
  }

  /** Let go of everything held (the reader went away): counted as dropped. */
  discard(): void {
    if (this.held !== undefined) {
      this.dropped += this.held.size;
      this.held = undefined;
    }
    this.bytes = 0;
  }

  /** What was shed since the last call, or undefined when nothing was. */
  takeCount(): ShedCount | undefined {
    if (this.dropped === 0 && this.coalesced === 0) return undefined;
    const count: ShedCount = { dropped: this.dropped, coalesced: this.coalesced, limitBytes: this.maxBytes };
    this.dropped = 0;
    this.coalesced = 0;
    return count;
  }
}
