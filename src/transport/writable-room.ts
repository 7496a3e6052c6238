import type { Writable } from "node:stream";

/**
 * Resolves when a full stream has room again, or can never have it (closed
 * or failed): a writer waiting on a dead stream must not wait for ever.
 * The one wait for backpressure, used by byte-stream transports and by
 * HTTP responses alike.
 */
export function roomOrGone(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}
