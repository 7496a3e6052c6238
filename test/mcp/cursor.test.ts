import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode, JsonRpcError } from "../../src/jsonrpc/errors.js";
import { CursorCodec, MAX_CURSOR_LENGTH, paginate, type CursorPosition } from "../../src/mcp/cursor.js";

const codec = new CursorCodec(randomBytes(32));
const expectation = { kind: "tools", version: 3 };

/** The JsonRpcError `fn` throws (fails the test when it throws anything else or nothing). */
function rpcError(fn: () => unknown): JsonRpcError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(JsonRpcError);
    return error as JsonRpcError;
  }
  throw new Error("expected a JsonRpcError, nothing was thrown");
}

describe("CursorCodec", () => {
  it("round-trips positions, with and without a backend's own cursor", () => {
    const positions: CursorPosition[] = [
      { kind: "tools", version: 3, offset: 0 },
      { kind: "tools", version: 3, offset: 250 },
      { kind: "tools", version: 3, offset: 1, backend: "everything" },
      { kind: "tools", version: 3, offset: 1, backend: "everything", backendCursor: "eyJwYWdlIjoyfQ==" },
      { kind: "tools", version: 3, offset: 0, backendCursor: "x" },
    ];
    for (const position of positions) {
      const cursor = codec.encode(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
      expect(codec.decode(cursor, expectation)).toEqual(position);
    }
  });

  it("refuses a cursor of another key, another list, or an older catalog version, saying what to do", () => {
    const cursor = codec.encode({ kind: "tools", version: 3, offset: 5 });
    const other = new CursorCodec(randomBytes(32));
    const forged = rpcError(() => other.decode(cursor, expectation));
    expect(forged.code).toBe(ErrorCode.InvalidParams);
    expect(forged.message).toBe(
      "Invalid params: the cursor is not one this switchboard issued (pass back nextCursor unchanged, or omit cursor for the first page)",
    );
    expect(rpcError(() => codec.decode(cursor, { kind: "prompts", version: 3 })).message).toBe(
      "Invalid params: the cursor belongs to the tools list, not the prompts list (pass back the nextCursor of the same list)",
    );
    expect(rpcError(() => codec.decode(cursor, { kind: "tools", version: 4 })).message).toBe(
      "Invalid params: the cursor is for an earlier version of the tools list, which has changed since; list again without a cursor",
    );
  });

  it("refuses non-strings, oversized and malformed cursors with -32602", () => {
    for (const bad of [42, null, {}, [], true, "", ".", "abc", "abc.", ".abc", "a.b.c", "x".repeat(MAX_CURSOR_LENGTH + 1)]) {
      expect(rpcError(() => codec.decode(bad, expectation)).code).toBe(ErrorCode.InvalidParams);
    }
    expect(rpcError(() => codec.decode(7, expectation)).message).toBe("Invalid params: cursor must be a string, got number");
    expect(rpcError(() => new CursorCodec(randomBytes(16), { maxLength: 10 }).decode("x".repeat(11), expectation)).message).toBe(
      "Invalid params: cursor is 11 characters long, over the 10 allowed (pass back the nextCursor you received, unchanged)",
    );
  });

  it("refuses a well-tagged payload that is not a position (defence in depth)", () => {
    const key = randomBytes(32);
    const inner = new CursorCodec(key);
    const tagOf = (payload: string) => createHmac("sha256", key).update(payload).digest().subarray(0, 16).toString("base64url");
    // The tag scheme as the codec uses it (checked on a real cursor), to tag payloads that are not positions.
    const good = inner.encode({ kind: "k", version: 0, offset: 0 });
    expect(good.split(".")[1]).toBe(tagOf(good.split(".")[0] as string));
    const tagged = (json: string) => {
      const payload = Buffer.from(json, "utf8").toString("base64url");
      return `${payload}.${tagOf(payload)}`;
    };
    for (const json of ["{}", "[2,\"k\",0,0]", "[1,\"k\",-1,0]", "[1,\"k\",0,1.5]", "[1,5,0,0]", "[1,\"k\",0,0,7]", "[1,\"k\",0,0,null,7]", "[1,\"k\",0]", "not json"]) {
      expect(rpcError(() => inner.decode(tagged(json), { kind: "k", version: 0 })).code, json).toBe(ErrorCode.InvalidParams);
    }
    expect(inner.decode(tagged("[1,\"k\",0,2,null]"), { kind: "k", version: 0 })).toEqual({ kind: "k", version: 0, offset: 2 });
  });

  it("wants a key of at least 16 bytes", () => {
    expect(() => new CursorCodec(randomBytes(8))).toThrow(/8 bytes; it needs at least 16/);
  });

  it("property: any change to a cursor (one character, truncation, extension) is refused", () => {
    fc.assert(
      fc.property(
        fc.record({ version: fc.nat(), offset: fc.nat(), backendCursor: fc.option(fc.string(), { nil: undefined }) }),
        fc.nat(),
        fc.constantFrom(..."ABCabc0189-_.=+/ "),
        (fields, at, replacement) => {
          const position: CursorPosition = { kind: "prompts", version: fields.version, offset: fields.offset };
          if (fields.backendCursor !== undefined) position.backendCursor = fields.backendCursor;
          const cursor = codec.encode(position);
          const expected = { kind: "prompts", version: fields.version };
          const i = at % cursor.length;
          const changed = cursor.slice(0, i) + replacement + cursor.slice(i + 1);
          if (changed !== cursor) expect(rpcError(() => codec.decode(changed, expected)).code).toBe(ErrorCode.InvalidParams);
          expect(rpcError(() => codec.decode(cursor.slice(0, i), expected)).code).toBe(ErrorCode.InvalidParams);
          expect(rpcError(() => codec.decode(cursor + replacement, expected)).code).toBe(ErrorCode.InvalidParams);
        },
      ),
    );
  });

  it("property: arbitrary strings are refused with -32602 and nothing else", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 80 }).map((codes) => String.fromCharCode(...codes)), (text) => {
        expect(rpcError(() => codec.decode(text, expectation)).code).toBe(ErrorCode.InvalidParams);
      }),
    );
  });
});

describe("paginate", () => {
  const options = { codec, kind: "resources", version: 7 };

  it("returns the list itself when it fits on the first page", () => {
    const list = Object.freeze([1, 2, 3]);
    expect(paginate(list, undefined, options)).toEqual({ items: list });
    expect(paginate(list, undefined, options).items).toBe(list);
    expect(paginate(list, null, { ...options, pageSize: 3 }).items).toBe(list);
    expect(paginate([], undefined, { ...options, pageSize: 2 })).toEqual({ items: [] });
  });

  it("pages by offset and stops at the end", () => {
    const list = ["a", "b", "c", "d", "e"];
    const first = paginate(list, undefined, { ...options, pageSize: 2 });
    expect(first.items).toEqual(["a", "b"]);
    const second = paginate(list, first.nextCursor, { ...options, pageSize: 2 });
    expect(second.items).toEqual(["c", "d"]);
    const third = paginate(list, second.nextCursor, { ...options, pageSize: 2 });
    expect(third).toEqual({ items: ["e"] });
    // A page size change between pages is the client's business: the cursor names an offset.
    expect(paginate(list, first.nextCursor, options)).toEqual({ items: ["c", "d", "e"] });
  });

  it("refuses a cursor after the list changed, and one past the end", () => {
    const first = paginate([1, 2, 3], undefined, { ...options, pageSize: 1 });
    expect(rpcError(() => paginate([1, 2], first.nextCursor, { ...options, version: 8, pageSize: 1 })).message).toMatch(/changed since/);
    const far = codec.encode({ kind: "resources", version: 7, offset: 9 });
    expect(rpcError(() => paginate([1, 2, 3], far, options)).message).toBe(
      "Invalid params: the cursor points past the end of the resources list; list again without a cursor",
    );
  });

  it("wants a positive integer page size", () => {
    for (const pageSize of [0, -1, 1.5, Number.NaN]) expect(() => paginate([1], undefined, { ...options, pageSize })).toThrow(RangeError);
  });

  it("property: following nextCursor from the start yields the whole list, in order, in ceil(n / size) pages", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 60 }), fc.integer({ min: 1, max: 25 }), (list, pageSize) => {
        const seen: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = paginate(list, cursor, { ...options, pageSize });
          expect(page.items.length).toBeLessThanOrEqual(pageSize);
          seen.push(...page.items);
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined);
        expect(seen).toEqual(list);
        expect(pages).toBe(Math.max(1, Math.ceil(list.length / pageSize)));
      }),
    );
  });
});
