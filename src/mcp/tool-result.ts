import { isJsonObject } from "../jsonrpc/message.js";
import type { CallToolResult } from "./types.js";

/**
 * Turn what a local tool handler returned into a CallToolResult: a full
 * result (has a `content` array) passes as is; a string becomes text content;
 * undefined becomes empty content; anything else becomes JSON text plus
 * `structuredContent` when it is an object.
 */
export function toCallToolResult(value: unknown): CallToolResult {
  if (isJsonObject(value) && Array.isArray(value["content"])) return value as CallToolResult;
  if (typeof value === "string") return { content: [{ type: "text", text: value }] };
  if (value === undefined) return { content: [] };
  const text = JSON.stringify(value, null, 2) ?? String(value);
  const result: CallToolResult = { content: [{ type: "text", text }] };
  if (isJsonObject(value)) result.structuredContent = value;
  return result;
}
