import type { JsonObject, JsonRpcMessage } from "./message.js";

/**
 * A message's wire text around a shared serialised body: `head`, `body`,
 * `tail`, written as pieces and never joined, so that answers carrying the
 * same big result (a 10 MB catalog) make no copy of it each.
 */
export class SplicedText {
  constructor(
    readonly head: string,
    readonly body: Buffer,
    readonly tail: string,
  ) {}

  /** Bytes on the wire. */
  get byteLength(): number {
    return Buffer.byteLength(this.head) + this.body.length + Buffer.byteLength(this.tail);
  }

  /** The same text with `before` and `after` around it (an SSE event, an NDJSON line). */
  wrap(before: string, after: string): SplicedText {
    return new SplicedText(before + this.head, this.body, this.tail + after);
  }

  /** As one string: a copy of the body, for callers that need one. */
  toString(): string {
    return this.head + this.body.toString("utf8") + this.tail;
  }
}

/** The wire text of a message: a string, or pieces around a shared body. */
export type WireText = string | SplicedText;

/**
 * Shared results below this size keep their text as a string (joined into
 * each answer: cheaper than pieces when small); larger ones become one
 * Buffer that every answer writes as is.
 */
export const SPLICE_MIN_BYTES = 64 * 1024;

/**
 * Results marked as shared: immutable objects sent to many peers, whose JSON
 * is computed once (on first send) and reused. The big one is the
 * aggregated tools/list result: with thousands of tools, serialising it is
 * most of what answering costs, and a copy per answer most of the memory.
 */
const sharedText = new WeakMap<object, string | Buffer | null>();

/**
 * Mark `result` as shared and immutable: every message carrying it reuses one
 * serialisation. Mutating it afterwards would send stale text, so build a
 * new object instead.
 */
export function shareResult<T extends JsonObject>(result: T): T {
  if (!sharedText.has(result)) sharedText.set(result, null);
  return result;
}

/**
 * The wire text of one message (without framing). A shared result is
 * serialised once; when large, the answer is a SplicedText around its one
 * Buffer. Throws, like JSON.stringify, for values JSON cannot carry.
 */
export function serializeMessage(message: JsonRpcMessage): WireText {
  if ("result" in message) {
    let shared = sharedText.get(message.result);
    if (shared !== undefined) {
      if (shared === null) {
        const text = JSON.stringify(message.result);
        shared = text.length < SPLICE_MIN_BYTES ? text : Buffer.from(text, "utf8");
        sharedText.set(message.result, shared);
      }
      const head = `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":`;
      return typeof shared === "string" ? `${head}${shared}}` : new SplicedText(head, shared, "}");
    }
  }
  return JSON.stringify(message);
}

/** The wire text of one message as a single string (a shared body is copied in). */
export function stringifyMessage(message: JsonRpcMessage): string {
  const text = serializeMessage(message);
  return typeof text === "string" ? text : text.toString();
}

/** `text` with `before` and `after` around it. */
export function frameText(text: WireText, before: string, after: string): WireText {
  return typeof text === "string" ? before + text + after : text.wrap(before, after);
}

/** Bytes of `text` on the wire. */
export function wireByteLength(text: WireText): number {
  return typeof text === "string" ? Buffer.byteLength(text) : text.byteLength;
}

/**
 * Wire texts joined into writable pieces: `before`, the texts separated by
 * `separator`, `after`. Strings are joined; a shared body stays its own
 * piece (a JSON batch array of answers carrying a big catalog).
 */
export function joinWireTexts(texts: readonly WireText[], before: string, separator: string, after: string): Array<string | Buffer> {
  const pieces: Array<string | Buffer> = [];
  let text = before;
  for (let index = 0; index < texts.length; index++) {
    if (index > 0) text += separator;
    const item = texts[index]!;
    if (typeof item === "string") text += item;
    else {
      pieces.push(text + item.head, item.body);
      text = item.tail;
    }
  }
  pieces.push(text + after);
  return pieces;
}
