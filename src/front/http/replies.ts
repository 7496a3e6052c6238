import { STATUS_CODES, type ServerResponse } from "node:http";
import { ErrorCode } from "../../jsonrpc/errors.js";

/** Answer with a JSON-RPC error body (id null) and an HTTP status. */
export function replyError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code: number = status === 400 ? ErrorCode.InvalidRequest : ErrorCode.ServerError,
  data?: unknown,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const error = data === undefined ? { code, message } : { code, message, data };
  const body = JSON.stringify({ jsonrpc: "2.0", id: null, error });
  res.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** Answer with a JSON body. */
export function replyJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** Answer with no body. */
export function replyEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** The reason phrase of a status, for logs. */
export function statusText(status: number): string {
  return STATUS_CODES[status] ?? "Unknown";
}
