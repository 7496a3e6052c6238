import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_URI_MAPPING,
  mapUri,
  unmapUri,
  unprefixedUriProblem,
  uriPrefix,
  uriSchemeProblem,
  type UriMapping,
} from "../../src/mcp/uri-mapping.js";
import { expandTemplate, type TemplateValue } from "./rfc6570.js";

const m = DEFAULT_URI_MAPPING;
const serverName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/);
const scheme = fc.stringMatching(/^[A-Za-z][A-Za-z0-9+.-]{0,10}$/);
/** Any text at all, URI-like or not, lone surrogates and `{}` included. */
const anyText = fc.oneof(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 60 }).map((codes) => String.fromCharCode(...codes)), fc.webUrl(), fc.constant(""));

describe("uri mapping", () => {
  it("maps two backends' identical URIs apart, and back", () => {
    const uri = "demo://resource/static/document/architecture.md";
    const a = mapUri(m, "everything-a", uri);
    const b = mapUri(m, "everything-b", uri);
    expect(a).toBe("switchboard://everything-a/demo://resource/static/document/architecture.md");
    expect(b).not.toBe(a);
    expect(unmapUri(m, a)).toEqual({ server: "everything-a", uri });
    expect(unmapUri(m, b)).toEqual({ server: "everything-b", uri });
  });

  it("leaves URIs of prefix: false servers as they are", () => {
    expect(mapUri(m, "fs", "file:///tmp/x", false)).toBe("file:///tmp/x");
  });

  it("keeps the original after the server name byte for byte: ? # spaces, nested schemes, empty", () => {
    for (const uri of ["file:///a b/c?d=1#e", "switchboard://other/x", "", "/", "%2F%zz", "é€𝄞", "{id}", "a\nb"]) {
      const exposed = mapUri(m, "s.1_-", uri);
      expect(exposed.startsWith("switchboard://s.1_-/")).toBe(true);
      expect(unmapUri(m, exposed)).toEqual({ server: "s.1_-", uri });
    }
  });

  it("gives valid absolute URIs for ordinary originals", () => {
    const url = new URL(mapUri(m, "my_server.v2", "demo://resource/dynamic/text/5"));
    expect(url.protocol).toBe("switchboard:");
    expect(url.host).toBe("my_server.v2");
  });

  it("recognises the scheme case-insensitively, the rest exactly", () => {
    expect(unmapUri(m, "SwitchBoard://Srv/X://Y")).toEqual({ server: "Srv", uri: "X://Y" });
  });

  it("refuses what is not one of ours", () => {
    for (const uri of [
      "demo://resource/static/document/architecture.md",
      "switchboard:",
      "switchboard://",
      "switchboard:///x",
      "switchboard://srv",
      "switchboard:/srv/x",
      "switchboard:srv/x",
      "switchboards://srv/x",
      "switchboar://srv/x",
      "switchboard://sr v/x",
      "switchboard://srv:80/x",
      "switchboard://user@srv/x",
      "switchboard://s%41/x",
      "",
    ]) {
      expect(unmapUri(m, uri), uri).toBeUndefined();
    }
  });

  it("names the problem of an un-prefixed URI that looks like one of ours", () => {
    expect(unprefixedUriProblem(m, "file:///x")).toBeUndefined();
    expect(unprefixedUriProblem(m, "switchboard://time/x")).toBe(
      '"switchboard://time/x" has the form of a switchboard URI (it would be read from server "time")',
    );
  });

  it("validates the scheme and builds the prefix", () => {
    expect(uriSchemeProblem("switchboard")).toBeUndefined();
    expect(uriSchemeProblem("mcp+sb.v1-x")).toBeUndefined();
    expect(uriSchemeProblem("1sb")).toMatch(/not a URI scheme/);
    expect(uriSchemeProblem("s_b")).toMatch(/not a URI scheme/);
    expect(uriSchemeProblem("")).toMatch(/not a URI scheme/);
    expect(uriPrefix({ scheme: "gw" }, "time")).toBe("gw://time/");
  });

  it("property: unmap(map(server, uri)) is (server, uri) for any scheme, server and text", () => {
    fc.assert(
      fc.property(scheme, serverName, anyText, (s, server, uri) => {
        const mapping: UriMapping = { scheme: s };
        expect(unmapUri(mapping, mapUri(mapping, server, uri))).toEqual({ server, uri });
      }),
    );
  });

  it("property: whatever unmaps, maps back to itself (up to the scheme's case); different inputs never collide", () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, fc.tuple(serverName, anyText).map(([srv, u]) => `switchboard://${srv}/${u}`), anyText.map((u) => `SWITCHBOARD://${u}`)),
        (exposed) => {
          const mapped = unmapUri(m, exposed);
          if (mapped === undefined) return;
          expect(mapUri(m, mapped.server, mapped.uri).toLowerCase()).toBe(exposed.toLowerCase());
          expect(mapUri(m, mapped.server, mapped.uri).slice(m.scheme.length)).toBe(exposed.slice(m.scheme.length));
        },
      ),
    );
    fc.assert(
      fc.property(serverName, anyText, serverName, anyText, (s1, u1, s2, u2) => {
        fc.pre(s1 !== s2 || u1 !== u2);
        expect(mapUri(m, s1, u1)).not.toBe(mapUri(m, s2, u2));
      }),
    );
  });
});

describe("uri mapping of templates (RFC 6570)", () => {
  it("the test expander follows the RFC's own examples", () => {
    const vars: Record<string, TemplateValue> = {
      var: "value",
      hello: "Hello World!",
      path: "/foo/bar",
      list: ["red", "green", "blue"],
      keys: [["semi", ";"], ["dot", "."], ["comma", ","]],
      x: "1024",
      y: "768",
      empty: "",
    };
    const cases: Array<[string, string]> = [
      ["{var}", "value"],
      ["{hello}", "Hello%20World%21"],
      ["{+hello}", "Hello%20World!"],
      ["{+path}/here", "/foo/bar/here"],
      ["{#path:6}/here", "#/foo/b/here"],
      ["X{.list*}", "X.red.green.blue"],
      ["{/list*,path:4}", "/red/green/blue/%2Ffoo"],
      ["{;x,y,empty}", ";x=1024;y=768;empty"],
      ["{?x,y,empty}", "?x=1024&y=768&empty="],
      ["{?keys*}", "?semi=%3B&dot=.&comma=%2C"],
      ["{&x}", "&x=1024"],
      ["{undef}x", "x"],
    ];
    for (const [template, expected] of cases) expect(expandTemplate(template, vars)).toBe(expected);
  });

  it("a mapped server-everything template expands to URIs that map back to the backend's own", () => {
    const template = "demo://resource/dynamic/text/{id}";
    const exposed = mapUri(m, "everything", template);
    expect(exposed).toBe("switchboard://everything/demo://resource/dynamic/text/{id}");
    const expanded = expandTemplate(exposed, { id: "42" });
    expect(unmapUri(m, expanded)).toEqual({ server: "everything", uri: "demo://resource/dynamic/text/42" });
    expect(unmapUri(m, exposed)).toEqual({ server: "everything", uri: template });
  });

  const varName = fc.constantFrom("a", "b", "id", "path");
  const operator = fc.constantFrom("", "+", "#", ".", "/", ";", "?", "&");
  const literal = fc.string({ maxLength: 8 }).map((s) => s.replace(/[{}]/g, ""));
  const expression = fc
    .tuple(operator, fc.array(fc.tuple(varName, fc.constantFrom("", "*", ":3")), { minLength: 1, maxLength: 3 }))
    .map(([op, specs]) => `{${op}${specs.map(([n, mod]) => n + mod).join(",")}}`);
  const template = fc.array(fc.oneof(literal, expression), { maxLength: 6 }).map((parts) => parts.join(""));
  const value: fc.Arbitrary<TemplateValue> = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 8 }),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  );
  const vars = fc.record({ a: value, b: value, id: value, path: value });

  it("property: expanding the mapped template = mapping the expanded original, and it unmaps to (server, expansion)", () => {
    fc.assert(
      fc.property(serverName, template, vars, (server, t, v) => {
        const expanded = expandTemplate(mapUri(m, server, t), v);
        const original = expandTemplate(t, v);
        expect(expanded).toBe(mapUri(m, server, original));
        expect(unmapUri(m, expanded)).toEqual({ server, uri: original });
      }),
    );
  });
});
