import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";

/**
 * What a local prompt handler returned, as a `prompts/get` result: a result
 * with a `messages` array passes as is; a string becomes one user message of
 * text; anything else becomes one user message of its JSON text.
 */
export function toGetPromptResult(value: unknown): JsonObject {
  if (isJsonObject(value) && Array.isArray(value["messages"])) return value;
  const text = typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? String(value));
  return { messages: [{ role: "user", content: { type: "text", text } }] };
}

/**
 * What a local resource handler returned for `uri`, as a `resources/read`
 * result: a result with a `contents` array passes as is; a string becomes
 * one text content, a Uint8Array one base64 blob, anything else its JSON
 * text (`application/json`). `mimeType` is the listed one, if any.
 */
export function toReadResourceResult(value: unknown, uri: string, mimeType?: string): JsonObject {
  if (isJsonObject(value) && Array.isArray(value["contents"])) return value;
  const withType = (content: JsonObject, fallback?: string): JsonObject => {
    const type = mimeType ?? fallback;
    return type === undefined ? content : { ...content, mimeType: type };
  };
  if (typeof value === "string") return { contents: [withType({ uri, text: value })] };
  if (value instanceof Uint8Array) return { contents: [withType({ uri, blob: Buffer.from(value).toString("base64") }, "application/octet-stream")] };
  const text = JSON.stringify(value, null, 2) ?? String(value);
  return { contents: [withType({ uri, text }, "application/json")] };
}
