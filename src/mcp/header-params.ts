import { isJsonObject } from "../jsonrpc/message.js";

/**
 * `x-mcp-header` (MCP 2026-07-28, Streamable HTTP): a tool's input schema
 * may mark a property so that its argument travels, besides the body, as an
 * `Mcp-Param-{name}` header of the tool's `tools/call`. One reading of the
 * annotations and one rule for the header text, for both the client that
 * sends these headers and the front that checks them. Pure.
 *
 * The rules (the specification's, nothing laxer or stricter):
 * - the value is a non-empty string matching the HTTP field-name token
 *   syntax (`1*tchar`, so no spaces or control characters);
 * - names are unique in the schema ignoring case;
 * - the annotated property's `type` is `"integer"`, `"string"` or
 *   `"boolean"` (not `"number"`, not a list of types, not absent);
 * - it is reached from the schema root through `properties` keys only: an
 *   annotation on the root, or under any other keyword (`items`,
 *   `additionalProperties`, `anyOf`, `if`, `$defs`, `contentSchema`, an
 *   unknown keyword …), is misplaced. Values of `const`, `enum`, `default`
 *   and `examples` are instances, not schemas, and are not searched.
 *
 * One annotation breaking a rule makes the whole tool definition invalid in
 * this binding: a client leaves the tool out of `tools/list` (warning with
 * the reason), and a server cannot check the headers of a call to it.
 */

/** One `x-mcp-header` annotation. */
export interface HeaderParam {
  /** The name part of `Mcp-Param-{name}`, as the schema spells it. */
  readonly name: string;
  /** The chain of `properties` keys from the schema root to the annotated property. */
  readonly path: readonly string[];
}

/** A tool's annotations in schema order, or the first rule one of them breaks. */
export type HeaderParamsReading = { readonly ok: true; readonly params: readonly HeaderParam[] } | { readonly ok: false; readonly reason: string };

/** The reading of a schema without annotations. */
export const NO_HEADER_PARAMS: HeaderParamsReading = Object.freeze({ ok: true, params: Object.freeze([]) });

const ANNOTATION = "x-mcp-header";
/** RFC 9110 field-name tokens (`1*tchar`). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MIRRORED_TYPES: ReadonlySet<unknown> = new Set(["integer", "string", "boolean"]);
/** Keywords whose values are instances, not schemas. */
const INSTANCE_KEYWORDS: ReadonlySet<string> = new Set(["const", "enum", "default", "examples"]);
/** Keywords (besides `properties`) mapping names to schemas: their keys are names, not keywords. */
const SCHEMA_MAP_KEYWORDS: ReadonlySet<string> = new Set(["patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"]);
/** A decimal numeral (what a client sends for an integer, and forms equal to it numerically, such as `42.0`). */
const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Read and check the `x-mcp-header` annotations of a tool's input schema (the rules are in this module's contract). */
export function readHeaderParams(inputSchema: unknown): HeaderParamsReading {
  const params: HeaderParam[] = [];
  const seen = new Map<string, string>();
  let problem: string | undefined;

  // The JSON Pointer of the node being visited, as a stack: joined only to name a problem.
  const trail: string[] = [];
  const pointer = (): string => (trail.length === 0 ? "the schema root" : `/${trail.map(escapePointer).join("/")}`);

  const check = (schema: Record<string, unknown>, path: readonly string[], reachable: boolean): void => {
    const name = schema[ANNOTATION];
    if (typeof name !== "string" || !TOKEN.test(name)) {
      problem = `${ANNOTATION} ${JSON.stringify(name)} at ${pointer()} is not a valid header name (a non-empty HTTP token: letters, digits and !#$%&'*+-.^_\`|~)`;
    } else if (!reachable || path.length === 0) {
      problem = `${ANNOTATION} "${name}" at ${pointer()} is not on a property reached from the schema root through "properties" alone`;
    } else if (!MIRRORED_TYPES.has(schema["type"])) {
      problem = `${ANNOTATION} "${name}" at ${pointer()} is on a property of type ${JSON.stringify(schema["type"] ?? null)}; only integer, string and boolean properties may be mirrored`;
    } else if (seen.has(name.toLowerCase())) {
      problem = `${ANNOTATION} "${name}" at ${pointer()} repeats "${seen.get(name.toLowerCase())}" (header names must differ ignoring case)`;
    } else {
      seen.set(name.toLowerCase(), name);
      params.push({ name, path });
    }
  };

  const visitAt = (step: string, node: unknown, path: readonly string[], reachable: boolean): void => {
    trail.push(step);
    visit(node, path, reachable);
    trail.pop();
  };

  const visit = (node: unknown, path: readonly string[], reachable: boolean): void => {
    if (problem !== undefined) return;
    if (Array.isArray(node)) {
      node.forEach((item, index) => visitAt(String(index), item, path, false));
      return;
    }
    if (!isJsonObject(node)) return;
    if (Object.hasOwn(node, ANNOTATION)) check(node, path, reachable);
    for (const [key, value] of Object.entries(node)) {
      if (problem !== undefined) return;
      if (key === ANNOTATION || INSTANCE_KEYWORDS.has(key) || value === null || typeof value !== "object") continue;
      trail.push(key);
      if ((key === "properties" || SCHEMA_MAP_KEYWORDS.has(key)) && isJsonObject(value)) {
        const chain = reachable && key === "properties";
        for (const [member, schema] of Object.entries(value)) visitAt(member, schema, chain ? [...path, member] : path, chain);
      } else {
        visit(value, path, false);
      }
      trail.pop();
    }
  };

  visit(inputSchema, [], true);
  return problem !== undefined ? { ok: false, reason: problem } : params.length === 0 ? NO_HEADER_PARAMS : { ok: true, params };
}

/** The argument at `path` in a call's `arguments` (undefined when a step is missing or not an object). */
export function argumentAt(args: unknown, path: readonly string[]): unknown {
  let at = args;
  for (const key of path) {
    if (!isJsonObject(at)) return undefined;
    at = at[key];
  }
  return at;
}

/**
 * The text a client mirrors for an argument, before header encoding: a
 * string as it is, a boolean as `true`/`false`, a safe integer in decimal;
 * undefined — no header is sent, and none is expected — for an absent or
 * null argument and for any other value (fractions, integers beyond ±(2^53−1),
 * objects, arrays: the arguments do not fit the schema, which is the tool's
 * to say).
 */
export function headerTextOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * Whether a header's decoded text stands for the argument `value` (one whose
 * headerTextOf is defined): strings and booleans exactly; integers
 * numerically, from a decimal numeral (`42.0` matches 42, `0x2a` does not).
 */
export function headerTextMatches(text: string, value: unknown): boolean {
  if (typeof value === "number") return DECIMAL.test(text) && Number(text) === value;
  const expected = headerTextOf(value);
  return expected !== undefined && text === expected;
}

function escapePointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}
