// `node --import ./node20-register.mjs …conformance/dist/index.js`: lets
// conformance 0.1.16 load on Node 20 (it imports fs.globSync, Node 22+).
import { register } from "node:module";

register("./node20-hooks.mjs", import.meta.url);
