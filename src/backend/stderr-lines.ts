import type { Readable } from "node:stream";
import { LineDecoder } from "../jsonrpc/line-decoder.js";

/** Longest stderr line kept whole; longer ones are reported as skipped. */
const MAX_STDERR_LINE = 64 * 1024;

/** Forward a child's stderr to `log`, one call per line, memory bounded. */
export function forwardStderr(stream: Readable, log: (line: string) => void): void {
  const decoder = new LineDecoder(
    { line: (text) => log(text), oversized: () => log(`(a stderr line over ${MAX_STDERR_LINE} bytes was skipped)`) },
    MAX_STDERR_LINE,
  );
  stream.on("data", (chunk: Buffer) => decoder.push(chunk));
  stream.once("end", () => decoder.end());
}
