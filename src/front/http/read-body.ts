import type { IncomingMessage } from "node:http";

/** The body was larger than allowed. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds the limit of ${limit} bytes`);
  }
}

/** Read a request body up to `limit` bytes; rejects with BodyTooLargeError beyond it, never buffering more. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      parts.push(chunk);
    };
    // Plain listeners: the request is read once and thrown away, so once()'s
    // wrappers would be per-request garbage for nothing.
    let complete = false;
    req.on("data", onData);
    req.on("end", () => {
      complete = true;
      const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      // The listeners stay on the request until its response ends: drop the
      // chunks now, so a request in flight does not hold its body that long.
      parts.length = 0;
      resolve(body);
    });
    req.on("error", reject);
    // 'close' comes for every request; it is a failure only before 'end'
    // (and an Error is built only then: capturing a stack per request shows up in profiles).
    req.on("close", () => {
      if (!complete) reject(new Error("the client closed the request before its body was complete"));
    });
  });
}
