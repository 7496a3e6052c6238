import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UriTemplateMatcher } from "../../src/mcp/uri-template-match.js";
import { expandTemplate, type TemplateValue } from "./rfc6570.js";

const matches = (template: string, uri: string) => new UriTemplateMatcher(template).matches(uri);

describe("UriTemplateMatcher", () => {
  it("matches server-everything's template against its expansions only", () => {
    const t = "demo://resource/dynamic/text/{id}";
    expect(matches(t, "demo://resource/dynamic/text/42")).toBe(true);
    expect(matches(t, "demo://resource/dynamic/text/")).toBe(true);
    expect(matches(t, "demo://resource/dynamic/text/4/2")).toBe(false);
    expect(matches(t, "demo://resource/dynamic/text/4?x")).toBe(false);
    expect(matches(t, "demo://resource/dynamic/blob/42")).toBe(false);
    expect(matches(t, "xdemo://resource/dynamic/text/42")).toBe(false);
  });

  it("bounds each operator's expansion by the delimiters it can produce", () => {
    expect(matches("file://{+path}", "file:///a/b?c#d")).toBe(true);
    expect(matches("file:///{/segments*}", "file:////a/b/c")).toBe(true);
    expect(matches("x://h{/s}", "x://h/a?q")).toBe(false);
    expect(matches("x://h/p{?q,r}", "x://h/p?q=1&r=2")).toBe(true);
    expect(matches("x://h/p{?q}", "x://h/p?q=1#f")).toBe(false);
    expect(matches("x://h/p{?q}{#f}", "x://h/p?q=1#f")).toBe(true);
    expect(matches("x://h/{a}{b}{c}/end", "x://h/abc/end")).toBe(true);
    expect(matches("x://h/{a}.{b}", "x://h/no-dot")).toBe(false);
  });

  it("matches literal templates exactly and malformed templates never", () => {
    expect(matches("demo://static", "demo://static")).toBe(true);
    expect(matches("demo://static", "demo://static/")).toBe(false);
    expect(matches("", "")).toBe(true);
    expect(matches("demo://{unclosed", "demo://{unclosed")).toBe(false);
  });

  it("stays linear on adversarial input (many expressions, long URI, no match)", () => {
    const template = "x://{a}" + "{b}-".repeat(200) + "end";
    const uri = "x://" + "-".repeat(5_000) + "en";
    expect(matches(template, uri)).toBe(false);
    expect(matches(template, `${uri}d`)).toBe(true);
  });

  const varName = fc.constantFrom("a", "b", "id");
  const operator = fc.constantFrom("", "+", "#", ".", "/", ";", "?", "&");
  // Literals of characters RFC 6570 copies as they are (so the expansion contains them as written).
  const literal = fc.stringMatching(/^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]{0,8}$/);
  const expression = fc
    .tuple(operator, fc.array(fc.tuple(varName, fc.constantFrom("", "*", ":2")), { minLength: 1, maxLength: 3 }))
    .map(([op, specs]) => `{${op}${specs.map(([n, mod]) => n + mod).join(",")}}`);
  const template = fc.array(fc.oneof(literal, expression), { maxLength: 6 }).map((parts) => parts.join(""));
  const value: fc.Arbitrary<TemplateValue> = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 8 }),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 2 }),
  );

  it("property: every RFC 6570 expansion of a template matches it", () => {
    fc.assert(
      fc.property(template, fc.record({ a: value, b: value, id: value }), (t, vars) => {
        expect(matches(t, expandTemplate(t, vars))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
