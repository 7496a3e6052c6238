import type { Writable } from "node:stream";
import { SwitchboardError } from "../jsonrpc/local-error.js";
import type { WireText } from "../jsonrpc/serialize.js";
import { SENT, type SendOptions } from "../jsonrpc/transport.js";
import { AdvisoryHold, type ShedCount } from "./advisory-hold.js";
import { roomOrGone } from "./writable-room.js";

export type { ShedCount } from "./advisory-hold.js";

/** Default of `maxBufferedBytes`: what may wait for a slow reader before advisory messages are shed. */
export const DEFAULT_MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

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
 * Texts from this size on are written as their own chunk rather than joined
 * into the turn's text: joining would copy them (V8 flattens the result).
 */
const LARGE_TEXT = 1024 * 1024;

/**
 * The outgoing side of one byte stream (a child's stdin, our stdout, an SSE
 * response): what every transport writes through.
 *
 * - Text queued in one event-loop turn leaves as one string in one `write`
 *   (per-chunk bookkeeping in Writable cost ~20% of CPU with cork/writev);
 *   large texts and shared bodies (SplicedText) are written as their own
 *   chunks, never copied into it.
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
  /** Text queued this turn, written at its end (after `chunks`). */
  private text = "";
  /** Large pieces queued this turn, before `text`; allocated on first use. */
  private chunks: Array<string | Buffer> | undefined;
  private chunkBytes = 0;
  private scheduled = false;
  /** Settles when the full stream drains or is gone. */
  private draining: Promise<void> | undefined;
  private full = false;
  private gone = false;
  /** Advisory messages held back while the reader is slow, and the count of those shed. */
  private readonly hold: AdvisoryHold;
  /** Something was shed since the stream last had room: the episode goes on. */
  private shedSinceRoom = false;

  constructor(stream: Writable, options: OutboundQueueOptions = {}) {
    this.stream = stream;
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.hold = new AdvisoryHold(this.maxBuffered);
    this.maxQueued = options.maxQueuedBytes ?? Number.POSITIVE_INFINITY;
    this.label = options.label ?? "the peer";
    this.onShed = options.onShed;
    this.onFull = options.onFull;
  }

  /** Bytes waiting for the reader: queued this turn plus the stream's buffer. */
  get bufferedBytes(): number {
    return this.text.length + this.chunkBytes + this.stream.writableLength;
  }

  /** True when nothing waits to be written and the stream is not full. */
  get idle(): boolean {
    return !this.hasPending() && this.hold.bytes === 0 && this.draining === undefined && !this.stream.writableNeedDrain;
  }

  /**
   * Queue one message's text. Answers at once for advisory messages (held
   * back or dropped when the reader is slow); for others, the drain promise
   * while the stream is full, or a rejection (OUTPUT_QUEUE_FULL) when the
   * message would pass `maxQueuedBytes`. (No async frame: every message
   * passes here.)
   */
  push(text: WireText, advisory?: Advisory): Promise<void> {
    if (this.gone) return SENT;
    const size = typeof text === "string" ? text.length : text.byteLength;
    const buffered = this.text.length + this.chunkBytes + this.stream.writableLength;
    if (advisory !== undefined && buffered > this.maxBuffered) return this.shed(text, size, advisory.coalesceKey);
    if (buffered + size > this.maxQueued && buffered > 0) return this.refuse(buffered, size, advisory);
    if (this.hold.bytes > 0) this.commitHeld(); // what was held back goes first: order is kept
    if (typeof text === "string" && size < LARGE_TEXT) this.text += text;
    else this.appendChunk(text);
    if (!this.scheduled) this.schedule();
    return advisory === undefined && this.draining !== undefined ? this.draining : SENT;
  }

  /** Write everything queued or held now, whatever the stream's room. */
  flushNow(): void {
    if (this.isGone()) {
      this.release();
      return;
    }
    if (this.hold.bytes > 0) this.commitHeld();
    if (this.hasPending()) this.writePending();
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
    let room = this.hasPending() ? this.writePending() : !this.stream.writableNeedDrain;
    if (room) room = this.room();
    if (!room) this.watchDrain();
  }

  /**
   * The stream has room: write what was held back. An episode of shedding
   * ends when the stream has room and nothing was shed since it last had.
   * Answers whether the stream still has room.
   */
  private room(): boolean {
    if (this.hold.bytes > 0) {
      this.commitHeld();
      if (!this.writePending()) return false;
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
  private shed(text: WireText, size: number, key: string | undefined): Promise<void> {
    this.shedSinceRoom = true;
    this.hold.offer(text, size, key);
    // Held messages are written when the stream has room: make sure something looks.
    if (this.draining === undefined && !this.scheduled) this.schedule();
    return SENT;
  }

  /** The reader is not reading: refuse a message rather than buffer it (an advisory one is just dropped). */
  private refuse(buffered: number, size: number, advisory: Advisory): Promise<void> {
    if (advisory !== undefined) {
      this.shedSinceRoom = true;
      this.hold.drop();
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
    this.hold.release(this.append);
  }

  /** Queue a text after what is queued: small ones joined, large ones as chunks of their own. */
  private readonly append = (text: WireText): void => {
    if (typeof text === "string" && text.length < LARGE_TEXT) this.text += text;
    else this.appendChunk(text);
  };

  /** Queue a large text or a shared body as chunks of its own, after what is queued. */
  private appendChunk(text: WireText): void {
    const chunks = (this.chunks ??= []);
    if (typeof text === "string") {
      if (this.text !== "") chunks.push(this.text);
      chunks.push(text);
      this.chunkBytes += this.text.length + text.length;
      this.text = "";
    } else {
      const head = this.text + text.head;
      chunks.push(head, text.body);
      this.chunkBytes += head.length + text.body.length;
      this.text = text.tail;
    }
  }

  private hasPending(): boolean {
    return this.text !== "" || this.chunkBytes > 0;
  }

  /** Write what is queued; answers whether the stream still has room. */
  private writePending(): boolean {
    let room = true;
    if (this.chunkBytes > 0) {
      for (const chunk of this.chunks!) room = this.stream.write(chunk);
      this.chunks = undefined;
      this.chunkBytes = 0;
    }
    if (this.text !== "") {
      const text = this.text;
      this.text = "";
      room = this.stream.write(text);
    }
    return room;
  }

  private isGone(): boolean {
    return this.gone || this.stream.destroyed || this.stream.writableEnded;
  }

  /** The stream is gone or ended: let go of everything, and close the episode. */
  private release(): void {
    if (this.gone) return;
    this.gone = true;
    this.text = "";
    this.chunks = undefined;
    this.chunkBytes = 0;
    this.hold.discard();
    this.report();
  }

  private report(): void {
    const count = this.hold.takeCount();
    if (count !== undefined) this.onShed?.(count);
  }
}
