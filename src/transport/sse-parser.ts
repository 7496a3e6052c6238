/** One dispatched server-sent event. */
export interface SseEvent {
  /** The `event` field, or "message". */
  event: string;
  /** The `data` lines joined by "\n". */
  data: string;
  /** The last event id seen on the stream up to this event ("" when none). */
  id: string;
}

/** Where a parser delivers what it reads. */
export interface SseSink {
  /** A complete event. */
  event(event: SseEvent): void;
  /** The server asked for this reconnection delay (ms). */
  retry?(ms: number): void;
  /** An event larger than the limit was skipped (its id still counts); `bytes` is how much was seen when it was dropped. */
  oversized(bytes: number): void;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
/** Room for a field name and its colon beyond the data limit on one line. */
const FIELD_SLACK = 64;

/**
 * A server-sent events parser (the WHATWG event-stream format) over raw
 * bytes, correct for any chunking: lines end in CRLF, LF or CR (a CR at the
 * end of one chunk and an LF at the start of the next are one line end), a
 * leading BOM is skipped, comments are ignored, `id` and `retry` are kept.
 * Lines are decoded only once complete, so a multi-byte character split
 * across chunks is intact. Memory is bounded by `maxEventBytes`: an event
 * whose data grows past it is dropped as it arrives and reported once.
 */
export class SseParser {
  private parts: Buffer[] = [];
  private lineLength = 0;
  private discardingLine = false;
  private afterCR = false;
  private atStart = true;
  private data: string[] = [];
  private dataBytes = 0;
  private eventType = "";
  private oversizedEvent = false;
  private lastId = "";

  constructor(
    private readonly sink: SseSink,
    private readonly maxEventBytes: number,
  ) {}

  /** The last event id the stream set (what `Last-Event-ID` carries on reconnection). */
  get lastEventId(): string {
    return this.lastId;
  }

  /** Feed the next chunk. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    let start = 0;
    if (this.atStart) {
      if (this.lineLength + chunk.length < 3 && isBomPrefix(Buffer.concat([...this.parts, chunk]))) {
        // Too few bytes yet to know whether the stream starts with a BOM.
        this.parts.push(chunk);
        this.lineLength += chunk.length;
        return;
      }
      const head = this.parts.length > 0 ? Buffer.concat([...this.parts, chunk]) : chunk;
      this.parts = [];
      this.lineLength = 0;
      this.atStart = false;
      chunk = head;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    if (this.afterCR && start < chunk.length) {
      this.afterCR = false;
      if (chunk[start] === LF) start++;
    }
    // Next CR and LF positions, each searched again only once passed: a
    // chunk of many LF-ended lines must not be rescanned for a CR per line.
    let cr = -2;
    let lf = -2;
    while (start < chunk.length) {
      if (cr !== -1 && cr < start) cr = chunk.indexOf(CR, start);
      if (lf !== -1 && lf < start) lf = chunk.indexOf(LF, start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) {
        this.append(chunk.subarray(start));
        return;
      }
      this.append(chunk.subarray(start, end));
      this.finishLine();
      if (chunk[end] === CR) {
        if (end + 1 === chunk.length) {
          this.afterCR = true;
          return;
        }
        start = chunk[end + 1] === LF ? end + 2 : end + 1;
      } else {
        start = end + 1;
      }
    }
  }

  /** The stream ended: an incomplete event is discarded, as the format requires. */
  end(): void {
    this.parts = [];
    this.lineLength = 0;
    this.resetEvent();
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0 || this.discardingLine) return;
    if (this.lineLength + bytes.length > this.maxEventBytes + FIELD_SLACK) {
      this.discardingLine = true;
      this.markOversized(this.dataBytes + this.lineLength + bytes.length);
      this.parts = [];
      this.lineLength = 0;
      return;
    }
    this.parts.push(bytes);
    this.lineLength += bytes.length;
  }

  private finishLine(): void {
    if (this.discardingLine) {
      this.discardingLine = false;
      return;
    }
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.lineLength);
    this.parts = [];
    this.lineLength = 0;
    if (line.length === 0) return this.dispatch();
    if (line[0] === COLON) return;
    const colon = line.indexOf(COLON);
    const field = (colon === -1 ? line : line.subarray(0, colon)).toString("utf8");
    let valueStart = colon === -1 ? line.length : colon + 1;
    if (valueStart < line.length && line[valueStart] === SPACE) valueStart++;
    const value = line.subarray(valueStart);
    switch (field) {
      case "data":
        if (this.oversizedEvent) return;
        this.dataBytes += value.length + 1;
        if (this.dataBytes > this.maxEventBytes + 1) return this.markOversized(this.dataBytes);
        this.data.push(value.toString("utf8"));
        return;
      case "event":
        this.eventType = value.toString("utf8");
        return;
      case "id": {
        const id = value.toString("utf8");
        if (!id.includes("\0")) this.lastId = id;
        return;
      }
      case "retry": {
        const text = value.toString("latin1");
        if (/^[0-9]+$/.test(text)) this.sink.retry?.(Number(text));
        return;
      }
      default:
        return;
    }
  }

  private markOversized(bytes: number): void {
    if (this.oversizedEvent) return;
    this.oversizedEvent = true;
    this.data = [];
    this.sink.oversized(bytes);
  }

  private dispatch(): void {
    const skip = this.oversizedEvent || this.data.length === 0;
    const event: SseEvent = { event: this.eventType || "message", data: this.data.join("\n"), id: this.lastId };
    this.resetEvent();
    if (!skip) this.sink.event(event);
  }

  private resetEvent(): void {
    this.data = [];
    this.dataBytes = 0;
    this.eventType = "";
    this.oversizedEvent = false;
  }
}

/** True when `bytes` (shorter than a BOM) could be the start of one. */
function isBomPrefix(bytes: Buffer): boolean {
  const bom = [0xef, 0xbb, 0xbf];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== bom[i]) return false;
  return true;
}
