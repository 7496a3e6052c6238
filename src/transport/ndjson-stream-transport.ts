import type { Readable, Writable } from "node:stream";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { LineDecoder, MAX_MESSAGE_BYTES } from "../jsonrpc/line-decoder.js";
import type { JsonRpcMessage } from "../jsonrpc/message.js";
import { parseMessageText } from "../jsonrpc/parse-message.js";
import { stringifyMessage } from "../jsonrpc/serialize.js";
import { SENT, type Transport } from "../jsonrpc/transport.js";
import { roomOrGone } from "./writable-room.js";

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
}

/**
 * JSON-RPC over a pair of byte streams, one message per line: the stdio
 * front (our stdin/stdout) and stdio backends (a child's stdout/stdin).
 * Writes honour backpressure: a send waits for 'drain' when the stream is full.
 */
export class NdjsonStreamTransport implements Transport {
  onmessage?: Transport["onmessage"];
  oninvalid?: Transport["oninvalid"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];

  private readonly input: Readable;
  private readonly output: Writable;
  private readonly decoder: LineDecoder;
  private readonly endOutputOnClose: boolean;
  private readonly pauseWhileFull: boolean;
  private closed = false;
  private draining: Promise<void> | undefined;
  /** Lines sent this event-loop turn, written together at its end. */
  private batch = "";
  private flushScheduled = false;

  constructor(input: Readable, output: Writable, options: NdjsonTransportOptions = {}) {
    this.input = input;
    this.output = output;
    this.endOutputOnClose = options.endOutputOnClose ?? true;
    this.pauseWhileFull = options.pauseInputWhileOutputFull ?? false;
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
      options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
    );
  }

  async start(): Promise<void> {
    this.input.on("data", this.onData);
    this.input.once("end", this.onEnd);
    this.input.once("close", this.onEnd);
    this.input.on("error", this.onInputError);
    this.output.on("error", this.onOutputError);
  }

  send(message: JsonRpcMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error("transport is closed"));
    // Serialise now, so a value JSON cannot carry fails this send, not a later batch.
    let line: string;
    try {
      line = stringifyMessage(message) + "\n";
    } catch (error) {
      return Promise.reject(error);
    }
    // Lines sent in the same event-loop turn leave as one string in one write:
    // under load that is one syscall and one write callback for many messages
    // (a profile showed Writable's per-chunk work at ~20% of CPU with cork/writev).
    this.batch += line;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    // Full: the caller waits until the stream drains. (No async frame: every
    // message of both fronts and all backends passes here.)
    return this.draining ?? SENT;
  }

  async close(): Promise<void> {
    this.flush();
    this.finish(undefined);
    if (this.endOutputOnClose && !this.output.writableEnded) this.output.end();
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const text = this.batch;
    this.batch = "";
    if (text === "" || !this.output.writable) return;
    if (this.output.write(text) || this.draining) return;
    if (this.pauseWhileFull) this.input.pause();
    this.draining = roomOrGone(this.output).then(() => {
      this.draining = undefined;
      if (this.pauseWhileFull && !this.closed) this.input.resume();
    });
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
