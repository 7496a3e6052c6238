import type { JsonRpcMessage } from "../../jsonrpc/message.js";
import { stringifyMessage } from "../../jsonrpc/serialize.js";

/** Headers that open a server-sent-events stream. */
export const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
} as const;

/** One SSE `message` event carrying a JSON-RPC message. */
export function sseEvent(message: JsonRpcMessage): string {
  return sseData(stringifyMessage(message));
}

/** One SSE `message` event carrying an already serialised JSON-RPC message. */
export function sseData(json: string): string {
  return `event: message\ndata: ${json}\n\n`;
}

/** An SSE comment line: keeps a quiet stream open through proxies; clients ignore it. */
export const SSE_KEEP_ALIVE = ":\n\n";
