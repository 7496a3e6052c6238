// Module resolve hook: when the conformance suite imports "fs", hand it the
// shim that adds globSync (see node20-fs-shim.mjs). Everything else resolves
// as usual. Registered by node20-register.mjs via module.register. Both
// installed suites are covered: 0.1.16 under its own name and the 0.2.0
// alpha under the npm alias `conformance-next`.
const SHIM = new URL("./node20-fs-shim.mjs", import.meta.url).href;
const SUITE_DIRS = ["/@modelcontextprotocol/conformance/", "/conformance-next/"];

export async function resolve(specifier, context, nextResolve) {
  if ((specifier === "fs" || specifier === "node:fs") && SUITE_DIRS.some((dir) => context.parentURL?.includes(dir))) {
    return { url: SHIM, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
