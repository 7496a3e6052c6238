// Module resolve hook: when the conformance suite imports "fs", hand it the
// shim that adds globSync (see node20-fs-shim.mjs). Everything else resolves
// as usual. Registered by node20-register.mjs via module.register.
const SHIM = new URL("./node20-fs-shim.mjs", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if ((specifier === "fs" || specifier === "node:fs") && context.parentURL?.includes("/@modelcontextprotocol/conformance/")) {
    return { url: SHIM, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
