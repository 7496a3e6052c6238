// node:crypto: AES-256-GCM seals the requestState we hand to modern clients.
// The module holds no state beyond its key and does no I/O.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";
import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";

/**
 * Sealed `requestState` (MRTR): what the switchboard needs to find again
 * when a modern client retries (the held call, or a modern backend's own
 * state, and what the retry must match) travels through the client as
 * `sb1.` + base64url(iv ‖ tag ‖ ciphertext), AES-256-GCM under one key.
 * The client can neither read nor alter it; a state that fails
 * authentication, has expired or is malformed is refused with -32602
 * saying what to do. The expiry is inside the sealed payload (`exp`, ms
 * since the epoch).
 *
 * The key is 32 bytes: given as a secret string (any length from 16
 * characters; hashed to 32 bytes, so replicas given the same string share
 * it) or random per process.
 */

/** Prefix of our states: the format version. */
const PREFIX = "sb1.";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Binds the ciphertext to its use: a state sealed for something else under the same key does not open. */
const AAD = Buffer.from("mcp-switchboard/requestState/1");
/** Longest state accepted for opening (ours are a few hundred characters, plus a modern backend's own state when we wrap one). */
export const MAX_REQUEST_STATE_LENGTH = 1024 * 1024;
/** Shortest secret accepted as a key. */
export const MIN_STATE_SECRET_LENGTH = 16;

/** The 32-byte key for a secret string (hashed), or a random one. */
export function stateKey(secret?: string): Buffer {
  if (secret === undefined) return randomBytes(32);
  if (secret.length < MIN_STATE_SECRET_LENGTH) {
    throw new RangeError(`a requestState key must be at least ${MIN_STATE_SECRET_LENGTH} characters (use a long random string)`);
  }
  return createHash("sha256").update("mcp-switchboard requestState key\0").update(secret, "utf8").digest();
}

function refused(why: string): JsonRpcError {
  return new JsonRpcError(
    ErrorCode.InvalidParams,
    `Invalid params: requestState ${why}; send the original request again without requestState and inputResponses`,
    { reason: "INVALID_REQUEST_STATE" },
  );
}

/** Seals and opens requestState under one key. */
export class RequestStateSealer {
  private readonly key: Buffer;
  private readonly now: () => number;

  /** `key`: 32 bytes (see stateKey()); `now`: the clock (tests pass a fake one). */
  constructor(key: Buffer, now: () => number = Date.now) {
    if (key.length !== 32) throw new RangeError("a requestState key is 32 bytes");
    this.key = key;
    this.now = now;
  }

  /** Seal `payload`, valid for `ttlMs` from now. */
  seal(payload: JsonObject, ttlMs: number): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(AAD);
    const plain = Buffer.from(JSON.stringify({ ...payload, exp: this.now() + ttlMs }), "utf8");
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
  }

  /** The payload of a state we sealed, or -32602 when it is not ours, altered, malformed or expired. */
  open(state: string): JsonObject {
    if (state.length > MAX_REQUEST_STATE_LENGTH) throw refused(`is longer than ${MAX_REQUEST_STATE_LENGTH} characters`);
    if (!state.startsWith(PREFIX)) throw refused("was not issued by this switchboard");
    const body = state.slice(PREFIX.length);
    const raw = Buffer.from(body, "base64url");
    if (raw.length < IV_BYTES + TAG_BYTES + 1) throw refused("was not issued by this switchboard");
    // Only the exact text we issued: the decoder skips stray characters and ignores a last character's spare bits.
    if (raw.toString("base64url") !== body) throw refused("was altered or sealed under another key (replicas must share proxy.requestStateKey)");
    let plain: Buffer;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw refused("was altered or sealed under another key (replicas must share proxy.requestStateKey)");
    }
    let payload: unknown;
    try {
      payload = JSON.parse(plain.toString("utf8"));
    } catch {
      throw refused("is malformed");
    }
    if (!isJsonObject(payload) || typeof payload["exp"] !== "number") throw refused("is malformed");
    if (this.now() > payload["exp"]) throw refused("has expired");
    return payload;
  }
}
