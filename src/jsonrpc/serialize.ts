import type { JsonObject, JsonRpcMessage } from "./message.js";

/**
 * Results marked as shared: immutable objects sent to many peers, whose JSON
 * text is computed once (on first send) and reused. The big one is the
 * aggregated tools/list result: with thousands of tools, serialising it is
 * most of what answering costs.
 */
const sharedText = new WeakMap<object, string | null>();

/**
 * Mark `result` as shared and immutable: every message carrying it reuses one
 * serialisation. Mutating it afterwards would send stale text, so build a
 * new object instead.
 */
export function shareResult<T extends JsonObject>(result: T): T {
  if (!sharedText.has(result)) sharedText.set(result, null);
  return result;
}

/** The wire text of one message (without the newline); shared results are serialised once. */
export function stringifyMessage(message: JsonRpcMessage): string {
  if ("result" in message) {
    const cached = sharedText.get(message.result);
    if (cached !== undefined) {
      let text = cached;
      if (text === null) {
        text = JSON.stringify(message.result);
        sharedText.set(message.result, text);
      }
      return `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":${text}}`;
    }
  }
  return JSON.stringify(message);
}
