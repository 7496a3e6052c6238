// node:crypto (pure computation, no I/O) gives the HMAC that makes cursors unforgeable;
// the module stays free of I/O and timers. The key is the caller's (one random
// key per process is enough: a cursor is only good for the catalog version it
// names anyway).
import { createHmac, timingSafeEqual } from "node:crypto";
import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";

/**
 * Our pagination cursors for the lists the switchboard aggregates.
 *
 * A cursor is `{payload}.{tag}`: `payload` is base64url of a small JSON array
 * (format version, list kind, catalog version, offset, and optionally a backend
 * and that backend's own cursor), `tag` is a truncated HMAC-SHA256 of the
 * payload text under the caller's key. Clients treat it as opaque; decoding
 * checks, in order: type and length, form, tag (so a forged or altered cursor
 * is refused), the list kind, and the catalog version (so a cursor from before
 * a catalog change is refused rather than silently skipping or repeating
 * items). Every refusal is a JSON-RPC -32602 that says what to do.
 */

/** Where the next page of an aggregated list starts. */
export interface CursorPosition {
  /** The list this cursor belongs to (`tools`, `prompts`, `resources`, `resourceTemplates` …). */
  kind: string;
  /** The catalog version `offset` refers to. */
  version: number;
  /** Index of the first item of the next page. */
  offset: number;
  /** For lists paged through backends in turn: the backend whose page comes next. */
  backend?: string;
  /** That backend's own cursor. */
  backendCursor?: string;
}

/** What a decoded cursor must match. */
export interface CursorExpectation {
  kind: string;
  version: number;
}

/** Longest cursor accepted by default (ours are far shorter unless they carry a backend's cursor). */
export const MAX_CURSOR_LENGTH = 4096;
/** Shortest key accepted, in bytes. */
export const MIN_CURSOR_KEY_BYTES = 16;

const FORMAT = 1;
/** 16 bytes of HMAC-SHA256, base64url: 22 characters. */
const TAG_BYTES = 16;

function invalid(message: string): JsonRpcError {
  return new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: ${message}`);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Encodes and checks cursors under one key. */
export class CursorCodec {
  private readonly key: Uint8Array;
  private readonly maxLength: number;

  /**
   * @param key secret of at least MIN_CURSOR_KEY_BYTES bytes (e.g. `randomBytes(32)` once per process)
   * @param options.maxLength longest cursor accepted (default MAX_CURSOR_LENGTH)
   */
  constructor(key: Uint8Array, options: { maxLength?: number } = {}) {
    if (key.length < MIN_CURSOR_KEY_BYTES) {
      throw new RangeError(`cursor key is ${key.length} bytes; it needs at least ${MIN_CURSOR_KEY_BYTES} (use randomBytes(32))`);
    }
    this.key = Uint8Array.from(key);
    this.maxLength = options.maxLength ?? MAX_CURSOR_LENGTH;
  }

  /** The opaque cursor for `position`. */
  encode(position: CursorPosition): string {
    const fields: unknown[] = [FORMAT, position.kind, position.version, position.offset];
    if (position.backend !== undefined || position.backendCursor !== undefined) fields.push(position.backend ?? null);
    if (position.backendCursor !== undefined) fields.push(position.backendCursor);
    const payload = Buffer.from(JSON.stringify(fields), "utf8").toString("base64url");
    return `${payload}.${this.tag(payload)}`;
  }

  /**
   * The position a client's cursor names. Throws JsonRpcError -32602 when the
   * cursor is not a string, too long, not one we issued under this key, for
   * another list, or for an older catalog version.
   */
  decode(cursor: unknown, expected: CursorExpectation): CursorPosition {
    const position = this.verify(cursor);
    if (position.kind !== expected.kind) {
      throw invalid(`the cursor belongs to the ${position.kind} list, not the ${expected.kind} list (pass back the nextCursor of the same list)`);
    }
    if (position.version !== expected.version) {
      throw invalid(`the cursor is for an earlier version of the ${expected.kind} list, which has changed since; list again without a cursor`);
    }
    return position;
  }

  /** Type, length, form and tag checks; the decoded position, whatever its kind and version. */
  private verify(cursor: unknown): CursorPosition {
    if (typeof cursor !== "string") throw invalid(`cursor must be a string, got ${cursor === null ? "null" : typeof cursor}`);
    if (cursor.length > this.maxLength) {
      throw invalid(`cursor is ${cursor.length} characters long, over the ${this.maxLength} allowed (pass back the nextCursor you received, unchanged)`);
    }
    const notOurs = () => invalid("the cursor is not one this switchboard issued (pass back nextCursor unchanged, or omit cursor for the first page)");
    const dot = cursor.indexOf(".");
    if (dot <= 0) throw notOurs();
    const payload = cursor.slice(0, dot);
    const tag = Buffer.from(cursor.slice(dot + 1), "latin1");
    const expectedTag = Buffer.from(this.tag(payload), "latin1");
    if (tag.length !== expectedTag.length || !timingSafeEqual(tag, expectedTag)) throw notOurs();
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      throw notOurs();
    }
    if (!Array.isArray(fields) || fields[0] !== FORMAT || fields.length < 4 || fields.length > 6) throw notOurs();
    const [, kind, version, offset, backend, backendCursor] = fields as unknown[];
    if (typeof kind !== "string" || !isCount(version) || !isCount(offset)) throw notOurs();
    const position: CursorPosition = { kind, version, offset };
    if (typeof backend === "string") position.backend = backend;
    else if (backend !== undefined && backend !== null) throw notOurs();
    if (typeof backendCursor === "string") position.backendCursor = backendCursor;
    else if (backendCursor !== undefined) throw notOurs();
    return position;
  }

  private tag(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest().subarray(0, TAG_BYTES).toString("base64url");
  }
}

/** One page of an aggregated list. */
export interface Page<T> {
  /** The page's items (the list itself when it fits whole on the first page). */
  items: readonly T[];
  /** The cursor of the next page; absent on the last page. */
  nextCursor?: string;
}

/** How `paginate` pages. */
export interface PageOptions {
  codec: CursorCodec;
  /** The list's kind, written into and checked against cursors. */
  kind: string;
  /** The current catalog version of the list. */
  version: number;
  /** Items per page; unset = the whole rest of the list. A positive integer. */
  pageSize?: number;
}

/**
 * The page of `list` that `cursor` names (no cursor: the first page). When
 * the whole list fits on the first page, `items` is `list` itself, so a shared
 * list result can be reused as is. Throws JsonRpcError -32602 for a cursor
 * `CursorCodec.decode` refuses, or one past the end of the list.
 */
export function paginate<T>(list: readonly T[], cursor: unknown, options: PageOptions): Page<T> {
  const { codec, kind, version, pageSize } = options;
  if (pageSize !== undefined && !(Number.isSafeInteger(pageSize) && pageSize > 0)) {
    throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  }
  const offset = cursor === undefined || cursor === null ? 0 : codec.decode(cursor, { kind, version }).offset;
  if (offset > list.length) {
    throw invalid(`the cursor points past the end of the ${kind} list; list again without a cursor`);
  }
  const end = pageSize === undefined ? list.length : Math.min(list.length, offset + pageSize);
  const items = offset === 0 && end === list.length ? list : list.slice(offset, end);
  return end < list.length ? { items, nextCursor: codec.encode({ kind, version, offset: end }) } : { items };
}
