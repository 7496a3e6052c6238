import type { ServerResponse } from "node:http";
import type { JsonRpcMessage } from "../../jsonrpc/message.js";
import { stringifyMessage } from "../../jsonrpc/serialize.js";
import { SENT } from "../../jsonrpc/transport.js";
import { roomOrGone } from "../../transport/writable-room.js";

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

/** Write to a response, resolving when the socket can take more (backpressure). */
export function writeWithBackpressure(res: ServerResponse, chunk: string): Promise<void> {
  if (res.writableEnded || res.destroyed) return SENT;
  if (res.write(chunk)) return SENT;
  return roomOrGone(res);
}
