import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { rawRequest, type RawResponse } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";
import { example, modernRequest } from "./modern-helpers.js";

let sb: SwitchboardProcess;

beforeAll(async () => {
  const config = writeConfig({
    logLevel: "info",
    proxy: { namespace: "proxy" },
    servers: {
      echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] },
      headers: { type: "stdio", command: process.execPath, args: [new URL("./fixtures/header-backend.mjs", import.meta.url).pathname] },
      diag: { type: "stdio", command: process.execPath, args: [new URL("../conformance/modern-diagnostics-backend.mjs", import.meta.url).pathname] },
    },
  });
  sb = await startHttpSwitchboard(config);
});

afterAll(async () => {
  expect(await sb.stop()).toBe(0);
});

/** The headers a conforming modern client sends for `body` (overridable, `undefined` removes one). */
function headersFor(body: { method: string; params?: Record<string, unknown> }, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const name = body.params?.["name"] ?? body.params?.["uri"];
  const headers: Record<string, string | undefined> = {
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": "2026-07-28",
    "Mcp-Method": body.method,
    ...(typeof name === "string" && ["tools/call", "prompts/get", "resources/read"].includes(body.method) ? { "Mcp-Name": name } : {}),
    ...extra,
  };
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function post(body: { method: string; params?: Record<string, unknown> }, extra: Record<string, string | undefined> = {}): Promise<RawResponse> {
  return rawRequest(sb.url, { method: "POST", headers: headersFor(body, extra), body: JSON.stringify(body) });
}

function json(res: RawResponse): Record<string, unknown> & { error?: { code: number; message: string; data?: Record<string, unknown> }; result?: Record<string, unknown> } {
  return JSON.parse(res.body) as ReturnType<typeof json>;
}

/** The JSON-RPC messages of an SSE body. */
function events(body: string): Array<Record<string, unknown>> {
  return body
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line.length > 6)
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>);
}

function callQuery(args: Record<string, unknown>): ReturnType<typeof modernRequest> {
  return modernRequest(1, "tools/call", { name: "proxy.headers.query", arguments: args });
}

describe("HTTP front, modern requests (item 1): stateless, same endpoint", () => {
  it("server/discover answers as JSON without minting a session", async () => {
    const res = await post(example("DiscoverRequest", "server-discover-request"));
    expect(res.status).toBe(200);
    expect(res.headers["mcp-session-id"]).toBeUndefined();
    expect(json(res).result).toMatchObject({ resultType: "complete", supportedVersions: expect.arrayContaining(["2026-07-28", "2025-11-25"]) });
  });

  it("requests of different clients with the same id are served side by side, each answered under its own id", async () => {
    const slow = modernRequest(1, "tools/call", { name: "proxy.echo.sleep", arguments: { ms: 200 } });
    const fast = modernRequest(1, "tools/call", { name: "proxy.echo.echo", arguments: { text: "fast" } });
    const [a, b] = await Promise.all([post(slow), post(fast)]);
    expect(json(a)).toMatchObject({ id: 1, result: { content: [{ type: "text", text: "slept 200" }] } });
    expect(json(b)).toMatchObject({ id: 1, result: { content: [{ type: "text", text: "fast" }] } });
  });

  it("an unknown version is 400 with -32022 (the spec's example: data.supported, data.requested)", async () => {
    const body = example("ListToolsRequest", "list-tools-request");
    (body.params["_meta"] as Record<string, unknown>)["io.modelcontextprotocol/protocolVersion"] = "1900-01-01";
    const res = await post(body, { "MCP-Protocol-Version": "1900-01-01" });
    expect(res.status).toBe(400);
    const expected = example("UnsupportedProtocolVersionError", "unsupported-version");
    expect(json(res).error).toMatchObject({ code: (expected["error"] as { code: number }).code, data: { requested: "1900-01-01" } });
    expect(json(res).error?.data?.["supported"]).toEqual(expect.arrayContaining(["2026-07-28", "2025-11-25"]));
  });

  it("SSE answers (progress first) carry X-Accel-Buffering: no and end with the response under the client's id", async () => {
    const body = modernRequest("p-1", "tools/call", { name: "proxy.echo.progress", arguments: { steps: 2 } }, {});
    (body.params["_meta"] as Record<string, unknown>)["progressToken"] = "tok";
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
    expect(res.headers["x-accel-buffering"]).toBe("no");
    const messages = events(res.body);
    expect(messages.filter((m) => m["method"] === "notifications/progress").map((m) => (m["params"] as Record<string, unknown>)["progressToken"])).toEqual(["tok", "tok"]);
    expect(messages.at(-1)).toMatchObject({ id: "p-1", result: { resultType: "complete", content: [{ type: "text", text: "done 2" }] } });
  });

  it("logs go only on the stream of the request that asked for them, at or above its level, never on another's", async () => {
    const call = (id: string, meta: Record<string, unknown>, waitMs = 50) => modernRequest(id, "tools/call", { name: "proxy.diag.test_logging_tool", arguments: { waitMs } }, meta);
    const levels = (res: RawResponse) => events(res.body).filter((m) => m["method"] === "notifications/message").map((m) => (m["params"] as Record<string, unknown>)["level"]);
    const asked = await post(call("asked", { "io.modelcontextprotocol/logLevel": "info" }));
    expect(asked.headers["content-type"]).toMatch(/text\/event-stream/);
    expect(levels(asked)).toEqual(["info", "warning"]);
    const strict = await post(call("strict", { "io.modelcontextprotocol/logLevel": "warning" }));
    expect(levels(strict)).toEqual(["warning"]);
    const quiet = await post(call("quiet", {}));
    expect(quiet.headers["content-type"]).toMatch(/application\/json/);
    expect(json(quiet).result).toMatchObject({ content: [{ type: "text", text: "logged" }] });
    // Two calls in flight on one stdio backend: its logs name no request, so neither stream gets them.
    const b = post(call("b", {}, 1500));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const a = await post(call("a", { "io.modelcontextprotocol/logLevel": "info" }));
    expect(levels(a)).toEqual([]);
    expect(levels(await b)).toEqual([]);
  });

  it("GET and DELETE with a modern MCP-Protocol-Version are 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await rawRequest(sb.url, { method, headers: { Accept: "text/event-stream", "MCP-Protocol-Version": "2026-07-28" } });
      expect(res.status).toBe(405);
    }
  });
});

describe("HTTP rules of 2026-07-28 (item 2)", () => {
  it("MCP-Protocol-Version must be sent and equal _meta's version: else 400 -32020", async () => {
    const body = example("ListToolsRequest", "list-tools-request");
    const missing = await post(body, { "MCP-Protocol-Version": undefined });
    expect(missing.status).toBe(400);
    expect(json(missing).error?.code).toBe(-32020);
    const other = await post(body, { "MCP-Protocol-Version": "2025-11-25" });
    expect(other.status).toBe(400);
    expect(json(other).error).toMatchObject({ code: -32020, message: expect.stringMatching(/MCP-Protocol-Version/) });
  });

  it("Mcp-Method is required and must equal the method: else 400 -32020", async () => {
    const body = example("ListToolsRequest", "list-tools-request");
    for (const value of [undefined, "prompts/list", "TOOLS/LIST"]) {
      const res = await post(body, { "Mcp-Method": value });
      expect(res.status).toBe(400);
      expect(json(res).error?.code).toBe(-32020);
    }
  });

  it("Mcp-Name is required for tools/call, resources/read, prompts/get and must equal the body (Base64 form decoded first)", async () => {
    const call = modernRequest(3, "tools/call", { name: "proxy.echo.echo", arguments: { text: "x" } });
    const missing = await post(call, { "Mcp-Name": undefined });
    expect([missing.status, json(missing).error?.code]).toEqual([400, -32020]);
    const wrong = await post(call, { "Mcp-Name": "proxy.echo.add" });
    expect([wrong.status, json(wrong).error?.code]).toEqual([400, -32020]);
    const encoded = await post(call, { "Mcp-Name": `=?base64?${Buffer.from("proxy.echo.echo").toString("base64")}?=` });
    expect(encoded.status).toBe(200);
    expect(json(encoded).result).toMatchObject({ content: [{ type: "text", text: "x" }] });
    const read = example("ReadResourceRequest", "read-resource-request");
    const readWrong = await post(read, { "Mcp-Name": "file:///elsewhere" });
    expect([readWrong.status, json(readWrong).error?.code]).toEqual([400, -32020]);
    const prompt = modernRequest(4, "prompts/get", { name: "p" });
    const promptMissing = await post(prompt, { "Mcp-Name": undefined });
    expect([promptMissing.status, json(promptMissing).error?.code]).toEqual([400, -32020]);
  });

  it("Mcp-Param-* headers declared by x-mcp-header must be sent and match the arguments (Base64, integers compared as numbers)", async () => {
    const ok = await post(callQuery({ region: "Hello, 世界", options: { limit: 42 } }), {
      "Mcp-Param-Region": "=?base64?SGVsbG8sIOS4lueVjA==?=",
      "mcp-param-limit": "42.0",
    });
    expect(ok.status).toBe(200);
    expect(json(ok).result).toMatchObject({ resultType: "complete" });
    const missing = await post(callQuery({ region: "us-west1" }));
    expect([missing.status, json(missing).error?.code]).toEqual([400, -32020]);
    expect(json(missing).error?.message).toMatch(/Mcp-Param-Region/);
    const wrong = await post(callQuery({ region: "us-west1" }), { "Mcp-Param-Region": "eu-west1" });
    expect([wrong.status, json(wrong).error?.code]).toEqual([400, -32020]);
    const bool = await post(callQuery({ options: { verbose: true } }), { "Mcp-Param-Verbose": "True" });
    expect([bool.status, json(bool).error?.code]).toEqual([400, -32020]);
    // Absent or null values need no header; a tool without annotations needs none.
    expect((await post(callQuery({ region: null, query: "q" }))).status).toBe(200);
    expect((await post(modernRequest(5, "tools/call", { name: "proxy.headers.plain", arguments: { q: "x" } }))).status).toBe(200);
    // An invalid annotation (a stdio backend's: nothing filtered it) makes the tool uncallable over HTTP, headers or not.
    for (const extra of [{}, { "Mcp-Param-Id": "a" }]) {
      const misplaced = await post(modernRequest(6, "tools/call", { name: "proxy.headers.misplaced", arguments: { list: [{ id: "a" }] } }), extra);
      expect([misplaced.status, json(misplaced).error?.code]).toEqual([400, -32020]);
      expect(json(misplaced).error?.message).toMatch(/^Header mismatch: tool "proxy.headers.misplaced" cannot be called over Streamable HTTP: x-mcp-header "Id" at \/properties\/list\/items\/properties\/id is not on a property reached/);
    }
  });

  it("an unknown method, and one the modern era removed, are 404 with -32601", async () => {
    for (const method of ["tools/frobnicate", "ping", "logging/setLevel", "resources/subscribe"]) {
      const res = await post(modernRequest(6, method, method === "logging/setLevel" ? { level: "info" } : method === "resources/subscribe" ? { uri: "x://y" } : {}));
      expect(res.status).toBe(404);
      expect(json(res).error?.code).toBe(-32601);
    }
  });

  it("closing a modern request's SSE stream cancels it on the backend", async () => {
    const body = modernRequest("long", "tools/call", { name: "proxy.echo.progress", arguments: { steps: 500 } });
    body.params["_meta"] = { ...(body.params["_meta"] as Record<string, unknown>), progressToken: "t" };
    const cancelled = sb.waitForLog(/\[echo\] cancelled /, 10_000);
    await new Promise<void>((resolve, reject) => {
      const req = request(sb.url, { method: "POST", headers: headersFor(body) }, (res) => {
        expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => undefined);
      req.once("error", reject);
      req.end(JSON.stringify(body));
    });
    await cancelled;
  });
});
