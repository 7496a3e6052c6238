import type { Writable } from "node:stream";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import { SENT, type SendOptions } from "../jsonrpc/transport.js";
import { roomOrGone } from "./writable-room.js";

/** Default of `maxBufferedBytes`: what may wait for a slow reader before advisory messages are shed. */
export const DEFAULT_MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

/** Advisory messages a slow reader did not get, counted over one episode. */
export interface ShedCount {
  /** Dropped: no coalescing key, no room to hold them, or the reader went away. */
  dropped: number;
  /** Replaced by a newer message with the same coalescing key before being written. */
  coalesced: number;
  /** The bound that was exceeded (`maxBufferedBytes`). */
  limitBytes: number;
}

/** Options of an outbound queue. */
export interface OutboundQueueOptions {
  /**
   * Bytes that may wait for the reader (text queued this turn plus the
   * stream's own buffer) before advisory messages are shed (default 2 MiB).
   * Messages that are not advisory are never shed.
   */
  maxBufferedBytes?: number;
  /**
   * Bytes that may wait at most: a message that would take more is refused
   * at once with OUTPUT_QUEUE_FULL (default: no limit). A message always
   * fits when nothing waits, whatever its size.
   */
  maxQueuedBytes?: number;
  /** Who reads the stream, for the refusal's message (default "the peer"). */
  label?: string;
  /** Once per episode of shedding, when it ends (the reader caught up, or went away). */
  onShed?: (count: ShedCount) => void;
  /** The stream became full (true), or has room again (false). */
  onFull?: (full: boolean) => void;
}

type Advisory = SendOptions["advisory"];

/**
 * The outgoing side of one byte stream (a child's stdin, our stdout, an SSE
 * response): what every transport writes through.
 *
 * - Text queued in one event-loop turn leaves as one string in one `write`
 *   (per-chunk bookkeeping in Writable cost ~20% of CPU with cork/writev).
 * - Backpressure: while the stream is full, `push` answers one shared promise
 *   that settles when it drains or is gone (never one wait per message).
 * - A slow reader: once more than `maxBufferedBytes` wait, an advisory message
 *   is held back, only the newest per coalescing key (written, in order,
 *   when the stream has room again), or dropped when it has no key. The
 *   count is reported once per episode. Other messages always go.
 * - A reader that does not read at all: beyond `maxQueuedBytes`, a message
 *   is refused (OUTPUT_QUEUE_FULL) rather than buffered for ever.
 * - A reader that went away: everything held is let go at once.
 *
 * Sizes are counted in string length (bytes for the ASCII that JSON mostly is).
 */
export class OutboundQueue {
  private readonly stream: Writable;
  private readonly maxBuffered: number;
  private readonly maxQueued: number;
  private readonly label: string;
  private readonly onShed: ((count: ShedCount) => void) | undefined;
  private readonly onFull: ((full: boolean) => void) | undefined;
  /** Text queued this turn, written at its end. */
  private text = "";
  private scheduled = false;
  /** Settles when the full stream drains or is gone. */
  private draining: Promise<void> | undefined;
  private full = false;
  private gone = false;
  /** Advisory messages held back while the reader is slow: the newest per key, in first-held order. */
  private held: Map<string, string> | undefined;
  private heldBytes = 0;
  private dropped = 0;
  private coalesced = 0;
  /** Something was shed since the stream last had room: the episode goes on. */
  private shedSinceRoom = false;

  constructor(stream: Writable, options: OutboundQueueOptions = {}) {
    this.stream = stream;
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.maxQueued = options.maxQueuedBytes ?? Number.POSITIVE_INFINITY;
    this.label = options.label ?? "the peer";
    this.onShed = options.onShed;
    this.onFull = options.onFull;
  }

  /** Bytes waiting for the reader: queued this turn plus the stream's buffer. */
  get bufferedBytes(): number {
    return this.text.length + this.stream.writableLength;
  }

  /** True when nothing waits to be written and the stream is not full. */
  get idle(): boolean {
    return this.text === "" && this.heldBytes === 0 && this.draining === undefined && !this.stream.writableNeedDrain;
  }

  /**
   * Queue one message's text. Answers at once for advisory messages (held
   * back or dropped when the reader is slow); for others, the drain promise
   * while the stream is full, or a rejection (OUTPUT_QUEUE_FULL) when the
   * message would pass `maxQueuedBytes`. (No async frame: every message
   * passes here.)
   */
  push(text: string, advisory?: Advisory): Promise<void> {
    if (this.gone) return SENT;
    const buffered = this.text.length + this.stream.writableLength;
    if (advisory !== undefined && buffered > this.maxBuffered) return this.shed(text, advisory.coalesceKey);
    if (buffered + text.length > this.maxQueued && buffered > 0) return this.refuse(buffered, text.length, advisory);
    if (this.heldBytes > 0) this.commitHeld(); // what was held back goes first: order is kept
    this.text += text;
    if (!this.scheduled) this.schedule();
    return advisory === undefined && this.draining !== undefined ? this.draining : SENT;
  }

  /** Write everything queued or held now, whatever the stream's room. */
  flushNow(): void {
    if (this.isGone()) {
      this.release();
      return;
    }
    if (this.heldBytes > 0) this.commitHeld();
    if (this.text !== "") this.writeText();
  }

  /** Write everything queued, then end the stream. */
  end(): void {
    this.flushNow();
    if (!this.stream.writableEnded && !this.stream.destroyed) this.stream.end();
    this.release();
  }

  private schedule(): void {
    this.scheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    this.writeOut();
  };

  /** Write what is queued; when the stream has room, also what was held back; else wait for room. */
  private writeOut(): void {
    if (this.isGone()) {
      this.release();
      return;
    }
    let room = this.text === "" ? !this.stream.writableNeedDrain : this.writeText();
    if (room) room = this.room();
    if (!room) this.watchDrain();
  }

  /**
   * The stream has room: write what was held back. An episode of shedding
   * ends when the stream has room and nothing was shed since it last had.
   * Answers whether the stream still has room.
   */
  private room(): boolean {
    if (this.heldBytes > 0) {
      this.commitHeld();
      if (!this.writeText()) return false;
    }
    if (this.shedSinceRoom) {
      this.shedSinceRoom = false;
      if (!this.scheduled) this.schedule(); // look again next turn
    } else {
      this.report();
    }
    return true;
  }

  private watchDrain(): void {
    if (this.draining !== undefined) return;
    this.setFull(true);
    this.draining = roomOrGone(this.stream).then(this.afterDrain);
  }

  private readonly afterDrain = (): void => {
    this.draining = undefined;
    this.writeOut();
    if (this.draining === undefined && !this.gone) this.setFull(false);
  };

  private setFull(full: boolean): void {
    if (this.full === full) return;
    this.full = full;
    this.onFull?.(full);
  }

  /** An advisory message while the reader is slow: hold the newest per key, drop the rest. */
  private shed(text: string, key: string | undefined): Promise<void> {
    this.shedSinceRoom = true;
    if (key !== undefined) {
      const held = (this.held ??= new Map());
      const previous = held.get(key);
      const bytes = this.heldBytes - (previous === undefined ? 0 : previous.length) + text.length;
      if (bytes <= this.maxBuffered) {
        if (previous !== undefined) this.coalesced++;
        held.set(key, text);
        this.heldBytes = bytes;
        // Held messages are written when the stream has room: make sure something looks.
        if (this.draining === undefined && !this.scheduled) this.schedule();
        return SENT;
      }
    }
    this.dropped++;
    return SENT;
  }

  /** The reader is not reading: refuse a message rather than buffer it (an advisory one is just dropped). */
  private refuse(buffered: number, size: number, advisory: Advisory): Promise<void> {
    if (advisory !== undefined) {
      this.shedSinceRoom = true;
      this.dropped++;
      return SENT;
    }
    return Promise.reject(
      new SwitchboardError(
        "OUTPUT_QUEUE_FULL",
        `${this.label} is not reading its input: ${buffered} bytes are waiting to be written to it (limit ${this.maxQueued}), so a message of ${size} bytes was refused; it may be stuck or overloaded`,
      ),
    );
  }

  private commitHeld(): void {
    for (const text of this.held!.values()) this.text += text;
    this.held!.clear();
    this.heldBytes = 0;
  }

  private writeText(): boolean {
    const text = this.text;
    this.text = "";
    return this.stream.write(text);
  }

  private isGone(): boolean {
    return this.gone || this.stream.destroyed || this.stream.writableEnded;
  }

  /** The stream is gone or ended: let go of everything, and close the episode. */
  private release(): void {
    if (this.gone) return;
    this.gone = true;
    this.text = "";
    if (this.held !== undefined) {
      this.dropped += this.held.size;
      this.held = undefined;
    }
    this.heldBytes = 0;
    this.report();
  }

  private report(): void {
    if (this.dropped === 0 && this.coalesced === 0) return;
    const count: ShedCount = { dropped: this.dropped, coalesced: this.coalesced, limitBytes: this.maxBuffered };
    this.dropped = 0;
    this.coalesced = 0;
    this.onShed?.(count);
  }
}
