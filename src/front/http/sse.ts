import type { JsonRpcMessage } from "../../jsonrpc/message.js";
import { frameText, serializeMessage, type WireText } from "../../jsonrpc/serialize.js";

/** Headers that open a server-sent-events stream. */
export const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
} as const;

/** One SSE `message` event carrying a JSON-RPC message. */
export function sseEvent(message: JsonRpcMessage): WireText {
  return sseData(serializeMessage(message));
}

/** One SSE `message` event carrying an already serialised JSON-RPC message. */
export function sseData(json: WireText): WireText {
  return typeof json === "string" ? `event: message\ndata: ${json}\n\n` : frameText(json, "event: message\ndata: ", "\n\n");
}

/** One SSE `message` event with an id, carrying an already serialised JSON-RPC message. */
export function sseDataWithId(id: string, json: WireText): WireText {
  const head = `id: ${id}\nevent: message\ndata: `;
  return typeof json === "string" ? `${head}${json}\n\n` : frameText(json, head, "\n\n");
}

/**
 * The priming event (2025-11-25): an id and empty data, so the client has
 * an id to resume from before any message, and the reconnection delay.
 */
export function ssePriming(id: string, retryMs: number): string {
  return `id: ${id}\nretry: ${retryMs}\ndata: \n\n`;
}

/** A `retry` field alone: the reconnection delay, told again on a resumed stream. */
export function sseRetry(retryMs: number): string {
  return `retry: ${retryMs}\n\n`;
}

/** An SSE comment line: keeps a quiet stream open through proxies; clients ignore it. */
export const SSE_KEEP_ALIVE = ":\n\n";
