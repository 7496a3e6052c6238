import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import {
  rewriteContentBlock,
  rewriteContentBlocks,
  rewritePromptResultUris,
  rewriteReadResultUris,
  rewriteToolResultUris,
} from "../../src/mcp/result-uris.js";
import { DEFAULT_URI_MAPPING, mapUri, unmapUri } from "../../src/mcp/uri-mapping.js";

const toEverything = (uri: string) => mapUri(DEFAULT_URI_MAPPING, "everything", uri);

/** Deep-frozen copy: any mutation throws in strict mode. */
function frozen<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (v: unknown): void => {
    if (typeof v === "object" && v !== null) {
      Object.freeze(v);
      for (const child of Object.values(v)) freeze(child);
    }
  };
  freeze(copy);
  return copy;
}

describe("rewriting URIs inside results", () => {
  it("rewrites resource_link and embedded resource URIs in a tool result, and nothing else", () => {
    const result = frozen({
      content: [
        { type: "text", text: "demo://not-a-link" },
        { type: "resource_link", uri: "demo://resource/static/document/a.md", name: "a" },
        { type: "resource", resource: { uri: "demo://resource/dynamic/text/1", text: "x", mimeType: "text/plain" } },
        { type: "image", data: "AA==", mimeType: "image/png" },
      ],
      structuredContent: { uri: "demo://stays" },
      isError: false,
    });
    const out = rewriteToolResultUris(result, toEverything);
    expect(out).toEqual({
      content: [
        { type: "text", text: "demo://not-a-link" },
        { type: "resource_link", uri: "switchboard://everything/demo://resource/static/document/a.md", name: "a" },
        {
          type: "resource",
          resource: { uri: "switchboard://everything/demo://resource/dynamic/text/1", text: "x", mimeType: "text/plain" },
        },
        { type: "image", data: "AA==", mimeType: "image/png" },
      ],
      structuredContent: { uri: "demo://stays" },
      isError: false,
    });
    expect(out.content[0]).toBe(result.content[0]);
    expect(out.content[3]).toBe(result.content[3]);
  });

  it("returns the very input when nothing carries a URI", () => {
    const result = frozen({ content: [{ type: "text", text: "hi" }, { type: "image", data: "", mimeType: "image/png" }] });
    expect(rewriteToolResultUris(result, toEverything)).toBe(result);
    const prompt = frozen({ messages: [{ role: "user", content: { type: "text", text: "hi" } }] });
    expect(rewritePromptResultUris(prompt, toEverything)).toBe(prompt);
    const empty = frozen({ contents: [] });
    expect(rewriteReadResultUris(empty, toEverything)).toBe(empty);
    const noContent = frozen({ structuredContent: {} }) as JsonObject;
    expect(rewriteToolResultUris(noContent, toEverything)).toBe(noContent);
  });

  it("rewrites prompt messages' content blocks", () => {
    const prompt = frozen({
      description: "d",
      messages: [
        { role: "user", content: { type: "text", text: "look:" } },
        { role: "user", content: { type: "resource", resource: { uri: "demo://r/1", blob: "AA==" } } },
        { role: "assistant", content: { type: "resource_link", uri: "demo://r/2", name: "two" } },
      ],
    });
    const out = rewritePromptResultUris(prompt, toEverything);
    expect(out.messages.map((message) => message.content)).toEqual([
      { type: "text", text: "look:" },
      { type: "resource", resource: { uri: "switchboard://everything/demo://r/1", blob: "AA==" } },
      { type: "resource_link", uri: "switchboard://everything/demo://r/2", name: "two" },
    ]);
    expect(out.messages[0]).toBe(prompt.messages[0]);
    expect(out.description).toBe("d");
  });

  it("rewrites every item of resources/read contents", () => {
    const read = frozen({ contents: [{ uri: "demo://a", text: "x" }, { uri: "demo://b", blob: "AA==" }], _meta: { k: 1 } });
    expect(rewriteReadResultUris(read, toEverything)).toEqual({
      contents: [
        { uri: "switchboard://everything/demo://a", text: "x" },
        { uri: "switchboard://everything/demo://b", blob: "AA==" },
      ],
      _meta: { k: 1 },
    });
  });

  it("passes malformed parts on unchanged", () => {
    const blocks = frozen([
      { type: "resource_link", uri: 7 },
      { type: "resource", resource: "nope" },
      { type: "resource", resource: { text: "no uri" } },
      null,
      "text",
    ]);
    const out = rewriteContentBlocks(blocks as unknown[], toEverything);
    expect(out).toEqual(blocks);
    expect(rewriteContentBlock(42, toEverything)).toBe(42);
    const weird = frozen({ messages: [null, { role: "user" }], contents: "x" }) as JsonObject;
    expect(rewritePromptResultUris(weird, toEverything)).toBe(weird);
    expect(rewriteReadResultUris(weird, toEverything)).toBe(weird);
    expect(rewriteReadResultUris(frozen({ contents: [1, { text: "no uri" }] }), toEverything)).toEqual({
      contents: [1, { text: "no uri" }],
    });
  });

  const uri = fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 }));
  const block = fc.oneof(
    fc.record({ type: fc.constant("text"), text: fc.string({ maxLength: 10 }) }),
    fc.record({ type: fc.constant("resource_link"), uri, name: fc.string({ maxLength: 5 }) }),
    fc.record({ type: fc.constant("resource"), resource: fc.record({ uri, text: fc.string({ maxLength: 5 }) }) }),
  );
  /** Every URI a client would see in the blocks. */
  const urisOf = (blocks: readonly unknown[]): string[] =>
    blocks.flatMap((b) => {
      const o = b as { type: string; uri?: string; resource?: { uri: string } };
      return o.type === "resource_link" ? [o.uri as string] : o.type === "resource" ? [o.resource?.uri as string] : [];
    });

  it("property: every URI a client sees in a tool or prompt result unmaps to (server, the backend's original); input untouched", () => {
    fc.assert(
      fc.property(fc.array(block, { maxLength: 8 }), (blocks) => {
        const input = frozen({ content: blocks });
        const out = rewriteToolResultUris(input, toEverything);
        const before = urisOf(input.content);
        const after = urisOf(out.content);
        expect(after.map((u) => unmapUri(DEFAULT_URI_MAPPING, u))).toEqual(before.map((u) => ({ server: "everything", uri: u })));
        expect(out === input).toBe(before.length === 0);
        expect(out.content.filter((b) => b.type === "text")).toEqual(input.content.filter((b) => b.type === "text"));

        const prompt = frozen({ messages: blocks.map((content) => ({ role: "user", content })) });
        const promptOut = rewritePromptResultUris(prompt, toEverything);
        expect(urisOf(promptOut.messages.map((msg) => msg.content))).toEqual(after);
      }),
    );
  });
});
