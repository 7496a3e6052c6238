import type { JsonObject } from "../jsonrpc/message.js";
import { DEFAULT_MRTR_CONFIG } from "./defaults.js";
import type { Reader } from "./reader.js";
import type { MrtrConfig } from "./types.js";

/** The proxy section's keys of the MRTR bridge. */
export const MRTR_KEYS = ["requestStateKey", "heldCallTimeout", "maxHeldCalls", "maxInputRequests", "inputBatchWindow"];

/** Shortest `proxy.requestStateKey` accepted (it is hashed into the AES-256 key). */
const MIN_KEY_LENGTH = 16;

/** The MRTR bridge's settings from the proxy section `obj`, defaults filled in. */
export function parseMrtr(read: Reader, obj: JsonObject): MrtrConfig {
  const d = DEFAULT_MRTR_CONFIG;
  const config: MrtrConfig = {
    heldCallTimeoutMs: read.integer(obj, "heldCallTimeout", "proxy", d.heldCallTimeoutMs, 1000, 24 * 3600_000),
    maxHeldCalls: read.integer(obj, "maxHeldCalls", "proxy", d.maxHeldCalls, 1, 1_000_000),
    maxInputRequests: read.integer(obj, "maxInputRequests", "proxy", d.maxInputRequests, 1, 1000),
    inputBatchWindowMs: read.integer(obj, "inputBatchWindow", "proxy", d.inputBatchWindowMs, 0, 10_000),
  };
  const key = read.optionalString(obj, "requestStateKey", "proxy");
  if (key !== undefined && key.length < MIN_KEY_LENGTH) {
    read.issues.push({ path: "proxy.requestStateKey", message: `must be at least ${MIN_KEY_LENGTH} characters (a long random string shared by every replica)` });
  } else if (key !== undefined) {
    config.requestStateKey = key;
  }
  return config;
}
