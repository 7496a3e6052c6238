import type { Readable, Writable } from "node:stream";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { LineDecoder, MAX_MESSAGE_BYTES } from "../jsonrpc/line-decoder.js";
import type { JsonRpcMessage } from "../jsonrpc/message.js";
import { parseMessageText } from "../jsonrpc/parse-message.js";
import { serializeMessage, type WireText } from "../jsonrpc/serialize.js";
import type { SendOptions, Transport } from "../jsonrpc/transport.js";
import { OutboundQueue, type ShedCount } from "./outbound-queue.js";

/** Options of a newline-delimited JSON transport. */
export interface NdjsonTransportOptions {
  /** Largest accepted incoming line (default 16 MiB). */
  maxMessageBytes?: number;
  /** Close the writable side on close() (false for process.stdout). */
  endOutputOnClose?: boolean;
  /**
   * Stop reading input while the output is full (a front whose client reads
   * slowly stops taking new requests). Off for backends: pausing a child's
   * stdout while its stdin is full could deadlock both.
   */
  pauseInputWhileOutputFull?: boolean;
  /**
   * Bytes that may wait for a slow reader before advisory messages
   * (progress) are coalesced or dropped (default 2 MiB); other messages are
   * never dropped.
   */
  maxBufferedBytes?: number;
  /**
   * Bytes that may wait for the peer to read at most (default: twice
   * maxMessageBytes, at least 32 MiB): beyond it a send is refused at once
   * with OUTPUT_QUEUE_FULL (a peer that stopped reading its input). A
   * message always fits when nothing waits. Fronts whose own concurrency
   * bounds what they queue pass Infinity.
   */
  maxQueuedBytes?: number;
  /** Who reads our output, for messages (`backend "time"`, default "the peer"). */
  label?: string;
}

/** Floor of the default `maxQueuedBytes`. */
export const MIN_DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/**
 * JSON-RPC over a pair of byte streams, one message per line: the stdio
 * front (our stdin/stdout) and stdio backends (a child's stdout/stdin).
 * Writes go through an OutboundQueue: a send waits for 'drain' while the
 * stream is full, and a slow reader gets the newest advisory message per key
 * rather than every one.
 */
export class NdjsonStreamTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];

  private readonly input: Readable;
  private readonly output: Writable;
  private readonly decoder: LineDecoder;
  private readonly queue: OutboundQueue;
  private readonly endOutputOnClose: boolean;
  private readonly pauseWhileFull: boolean;
  private readonly label: string;
  private closed = false;
  private started = false;
  /** Why input is held: the peer asked (pauseInput), and/or our output is full (pauseInputWhileOutputFull). */
  private pausedByPeer = false;
  private outputFull = false;
  private inputPaused = false;

  constructor(input: Readable, output: Writable, options: NdjsonTransportOptions = {}) {
    this.input = input;
    this.output = output;
    this.endOutputOnClose = options.endOutputOnClose ?? true;
    this.pauseWhileFull = options.pauseInputWhileOutputFull ?? false;
    this.label = options.label ?? "the peer";
    const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.queue = new OutboundQueue(output, {
      ...(options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes }),
      maxQueuedBytes: options.maxQueuedBytes ?? Math.max(2 * maxMessageBytes, MIN_DEFAULT_MAX_QUEUED_BYTES),
      label: this.label,
      onShed: this.onShed,
      onFull: this.onFull,
    });
    this.decoder = new LineDecoder(
      {
        line: (text) => {
          const outcome = parseMessageText(text);
          if (outcome.ok) this.onmessage?.(outcome.message);
          else this.oninvalid?.(outcome.error, outcome.id, outcome.response);
        },
        // Said as an invalid message: a server-side peer answers it, a client-side peer logs it.
        oversized: (error) => this.oninvalid?.(new JsonRpcError(ErrorCode.InvalidRequest, `Invalid Request: ${error.message}`), null),
      },
      maxMessageBytes,
    );
  }

  async start(): Promise<void> {
    this.started = true;
    this.input.on("data", this.onData);
    this.input.once("end", this.onEnd);
    this.input.once("close", this.onEnd);
    this.input.on("error", this.onInputError);
    this.output.on("error", this.onOutputError);
    this.updateInput();
  }

  /**
   * Stop reading the input until `resumeInput()`. The contract: the lines
   * of the chunk being decoded when this is called are still delivered
   * (the rest of one read of the stream, at most 64 KiB for a pipe); after
   * that no message arrives until input resumes. Bytes that arrive
   * meanwhile wait in the stream and the OS pipe, which fills, and then the
   * writer on the other side waits too.
   */
  pauseInput(): void {
    this.pausedByPeer = true;
    this.updateInput();
  }

  /**
   * Read the input again after `pauseInput()`. Reading resumes only if the
   * output is not full as well (with pauseInputWhileOutputFull): input
   * flows when neither reason to hold it remains.
   */
  resumeInput(): void {
    this.pausedByPeer = false;
    this.updateInput();
  }

  send(message: JsonRpcMessage, options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.reject(new Error("transport is closed"));
    // Serialise now, so a value JSON cannot carry fails this send, not a later batch.
    let line: WireText;
    try {
      const text = serializeMessage(message);
      line = typeof text === "string" ? text + "\n" : text.wrap("", "\n");
    } catch (error) {
      return Promise.reject(error);
    }
    // No async frame: every message of both fronts and all backends passes here.
    return this.queue.push(line, options?.advisory);
  }

  async close(): Promise<void> {
    this.queue.flushNow();
    this.finish(undefined);
    if (this.endOutputOnClose && !this.output.writableEnded) this.output.end();
  }

  private readonly onFull = (full: boolean): void => {
    if (!this.pauseWhileFull) return;
    this.outputFull = full;
    this.updateInput();
  };

  /** Pause or resume the input stream to match the reasons to hold it. */
  private updateInput(): void {
    if (!this.started || this.closed) return;
    const hold = this.pausedByPeer || this.outputFull;
    if (hold === this.inputPaused) return;
    this.inputPaused = hold;
    if (hold) this.input.pause();
    else this.input.resume();
  }

  private readonly onShed = (count: ShedCount): void => {
    this.onerror?.(
      new Error(
        `${this.label} is slow to read: ${count.dropped} advisory messages (progress) were dropped and ${count.coalesced} replaced by newer ones while more than ${count.limitBytes} bytes waited for it; responses are never dropped`,
      ),
    );
  };

  private readonly onData = (chunk: Buffer | string): void => {
    this.decoder.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  };

  private readonly onEnd = (): void => {
    this.decoder.end();
    this.finish(new Error("input stream ended"));
  };

  private readonly onInputError = (error: Error): void => {
    this.finish(error);
  };

  private readonly onOutputError = (error: Error): void => {
    this.onerror?.(error);
    this.finish(error);
  };

  private finish(reason: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.input.off("data", this.onData);
    this.input.off("end", this.onEnd);
    this.input.off("close", this.onEnd);
    this.onclose?.(reason);
  }
}
