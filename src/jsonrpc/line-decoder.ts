import { SwitchboardError } from "./local-error.js";

/** Default largest accepted message line: 16 MiB. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** What a decoder reports for each complete input line. */
export interface LineDecoderSink {
  /** A complete, non-blank line (without its `\n` or `\r\n`). */
  line(text: string): void;
  /** A line longer than the limit was skipped; the decoder resynchronised at the next newline. */
  oversized(error: SwitchboardError): void;
}

/**
 * Splits a byte stream into newline-delimited lines, correct for any chunking
 * (a multi-byte UTF-8 character may straddle chunks: lines are decoded only when
 * complete). Memory stays bounded by `maxBytes`: an oversized line is dropped
 * as it arrives and reported once.
 */
export class LineDecoder {
  private readonly maxBytes: number;
  private readonly sink: LineDecoderSink;
  private parts: Buffer[] = [];
  private length = 0;
  private discarding = false;
  private discardedBytes = 0;

  constructor(sink: LineDecoderSink, maxBytes: number = MAX_MESSAGE_BYTES) {
    this.sink = sink;
    this.maxBytes = maxBytes;
  }

  /** Feed the next chunk of bytes. */
  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.append(chunk.subarray(start));
        return;
      }
      if (this.length === 0 && !this.discarding) {
        // Fast path: the whole line is inside this chunk.
        this.emit(chunk.subarray(start, newline));
      } else {
        this.append(chunk.subarray(start, newline));
        this.finishLine();
      }
      start = newline + 1;
    }
  }

  /** End of input: a final line without a trailing newline is still delivered. */
  end(): void {
    if (this.length > 0 || this.discarding) this.finishLine();
  }

  /** Bytes held for the line in progress (for tests of boundedness). */
  get bufferedBytes(): number {
    return this.length;
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.discarding) {
      this.discardedBytes += bytes.length;
      return;
    }
    if (this.length + bytes.length > this.maxBytes) {
      this.discarding = true;
      this.discardedBytes = this.length + bytes.length;
      this.parts = [];
      this.length = 0;
      return;
    }
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  private finishLine(): void {
    if (this.discarding) {
      const size = this.discardedBytes;
      this.discarding = false;
      this.discardedBytes = 0;
      this.sink.oversized(
        new SwitchboardError(
          "MESSAGE_TOO_LARGE",
          `message of ${size} bytes or more exceeds the limit of ${this.maxBytes} bytes and was skipped; raise maxMessageBytes if such messages are expected`,
        ),
      );
      return;
    }
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    this.emit(bytes);
  }

  private emit(bytes: Buffer): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end -= 1;
    if (end > this.maxBytes) {
      this.sink.oversized(
        new SwitchboardError(
          "MESSAGE_TOO_LARGE",
          `message of ${end} bytes exceeds the limit of ${this.maxBytes} bytes and was skipped; raise maxMessageBytes if such messages are expected`,
        ),
      );
      return;
    }
    const text = bytes.toString("utf8", 0, end);
    if (text.trim().length === 0) return;
    this.sink.line(text);
  }
}
