// The `fs` module as @modelcontextprotocol/conformance 0.1.16 sees it on
// Node 20: everything from node:fs, plus `globSync`, which Node 20 lacks and
// which the suite imports only for a command we never run.
import fs from "node:fs";

export * from "node:fs";
export default fs;
export const globSync =
  fs.globSync ??
  (() => {
    throw new Error("fs.globSync needs Node 22+; the conformance command that uses it is not supported on this Node");
  });
