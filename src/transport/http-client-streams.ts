import type { IncomingMessage } from "node:http";
import type { JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, isResponse, type JsonRpcErrorObject, type JsonRpcId, type JsonRpcMessage } from "../jsonrpc/message.js";
import { validateMessage } from "../jsonrpc/parse-message.js";
import { ErrorCode, JsonRpcError as WireError } from "../jsonrpc/errors.js";
import type { MessageExtra } from "../jsonrpc/transport.js";
import { readBody } from "./http-client.js";
import { SseParser } from "./sse-parser.js";

/** Where messages read from an HTTP answer go. */
export interface Delivery {
  deliver(message: JsonRpcMessage, extra?: MessageExtra): void;
  /** Input that is not a valid message (see Transport.oninvalid). */
  invalid(error: JsonRpcError, id: JsonRpcId | null, response: boolean): void;
}

/** How an event stream answering one of our requests ended. */
export interface StreamOutcome {
  /** The answer to the request arrived. */
  answered: boolean;
  /** An event over the size limit arrived (on a request's stream: the stream was dropped). */
  oversized: boolean;
  /** The connection broke before the stream's end, in words. */
  error?: string;
}

/** Hooks for a stream's `retry`, event ids and oversized events. */
export interface StreamHooks {
  retry?(ms: number): void;
  id?(id: string): void;
  oversized?(bytes: number): void;
  /** An event of another type than `message` (the legacy transport's `endpoint`). */
  other?(event: string, data: string): void;
}

/**
 * Read an SSE response to its end, delivering each `message` event. On the
 * stream answering our request `requestId`, the server's own requests and
 * notifications carry `relatedRequestId: requestId`, and an oversized event
 * ends the stream (the answer is lost); elsewhere it is skipped.
 */
export function readEventStream(response: IncomingMessage, maxBytes: number, sink: Delivery, requestId: JsonRpcId | undefined, hooks: StreamHooks = {}): Promise<StreamOutcome> {
  const outcome: StreamOutcome = { answered: false, oversized: false };
  const extra: MessageExtra | undefined = requestId === undefined ? undefined : { relatedRequestId: requestId };
  return new Promise((resolve) => {
    const parser = new SseParser(
      {
        event: (event) => {
          if (event.id !== "") hooks.id?.(event.id);
          if (event.event !== "message") return hooks.other?.(event.event, event.data);
          deliverJson(event.data, sink, (message) => {
            if (isResponse(message)) {
              if (message.id === requestId) outcome.answered = true;
              sink.deliver(message);
            } else sink.deliver(message, extra);
          });
        },
        retry: (ms) => hooks.retry?.(ms),
        oversized: (bytes) => {
          hooks.oversized?.(bytes);
          if (requestId === undefined) return;
          outcome.oversized = true;
          response.destroy();
        },
      },
      maxBytes,
    );
    let done = false;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      parser.end();
      if (error !== undefined && !outcome.oversized) outcome.error = error;
      resolve(outcome);
    };
    response.on("data", (chunk: Buffer) => parser.push(chunk));
    response.once("end", () => finish());
    response.once("error", (error) => finish(error.message));
    response.once("close", () => finish(response.complete ? undefined : "the connection closed mid-stream"));
  });
}

/** Read a JSON answer (one message or a batch) of at most `maxBytes`; false when it was larger. */
export async function deliverText(response: IncomingMessage, maxBytes: number, sink: Delivery, requestId: JsonRpcId): Promise<boolean> {
  const text = await readBody(response, maxBytes);
  if (text === undefined) return false;
  deliverAnswerText(text, sink, requestId);
  return true;
}

/** Deliver a JSON answer's text (one message or a batch) to request `requestId`; what is not a response relates to that request. */
export function deliverAnswerText(text: string, sink: Delivery, requestId: JsonRpcId): void {
  deliverJson(text, sink, (message) => sink.deliver(message, isResponse(message) ? undefined : { relatedRequestId: requestId }), requestId);
}

/** Parse `text` as a message or a batch; invalid input goes to `sink.invalid` (naming `fallbackId` when unreadable, so that call fails). */
function deliverJson(text: string, sink: Delivery, each: (message: JsonRpcMessage) => void, fallbackId?: JsonRpcId): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    sink.invalid(new WireError(ErrorCode.ParseError, "Parse error: the answer is not JSON"), fallbackId ?? null, true);
    return;
  }
  for (const item of Array.isArray(value) ? value : [value]) {
    const outcome = validateMessage(item);
    if (outcome.ok) each(outcome.message);
    else sink.invalid(outcome.error, outcome.id ?? fallbackId ?? null, outcome.response);
  }
}

/** ` to {origin}` of a redirect's Location, or nothing when it has none or it cannot be read. */
export function redirectTarget(response: IncomingMessage): string {
  const location = response.headers.location;
  if (!location) return "";
  try {
    return ` to ${new URL(location, "http://unknown").origin}`;
  } catch {
    return "";
  }
}

/** Most of an HTTP error body quoted in a message. */
const QUOTED_BODY_CHARS = 200;

/** The start of an error body, at most `maxBytes` (the rest is not read: the connection is dropped). */
export async function readLimited(response: IncomingMessage, maxBytes: number): Promise<string> {
  const parts: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= maxBytes) {
        response.destroy();
        break;
      }
    }
  } catch {
    // What arrived is enough for a message.
  }
  return Buffer.concat(parts).toString("utf8");
}

/** A short, printable excerpt of an error body. */
export function quote(raw: string): string {
  const text = raw.replace(/\s+/g, " ").trim();
  return text.length > QUOTED_BODY_CHARS ? `${text.slice(0, QUOTED_BODY_CHARS)}…` : text;
}

/** The `error` of a JSON-RPC error response in `text` (an integer code and a string message), if it is one. */
export function jsonRpcErrorIn(text: string): JsonRpcErrorObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(value) || value["jsonrpc"] !== "2.0" || !isJsonObject(value["error"])) return undefined;
  const { code, message, data } = value["error"];
  if (typeof code !== "number" || !Number.isInteger(code) || typeof message !== "string") return undefined;
  return data === undefined ? { code, message } : { code, message, data };
}
