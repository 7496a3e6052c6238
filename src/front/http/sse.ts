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

/** An SSE comment line: keeps a quiet stream open through proxies; clients ignore it. */
export const SSE_KEEP_ALIVE = ":\n\n";
