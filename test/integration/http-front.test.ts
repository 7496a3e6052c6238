import { once } from "node:events";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connectHttp } from "../helpers/sdk.js";
import { fixture, nodeModule } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";
import { initializeBody, jsonHeaders, openSession, rawRequest } from "../helpers/raw-http.js";

let sb: SwitchboardProcess;

function errorMessage(body: string): string {
  return (JSON.parse(body) as { error: { message: string } }).error.message;
}

beforeAll(async () => {
  const config = writeConfig({
    proxy: { namespace: "proxy" },
    servers: {
      echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] },
      everything: { type: "stdio", command: process.execPath, args: [nodeModule("@modelcontextprotocol/server-everything/dist/index.js"), "stdio"] },
    },
    server: { maxBodyBytes: 64 * 1024 },
  });
  sb = await startHttpSwitchboard(config);
});

afterAll(async () => {
  expect(await sb.stop()).toBe(0);
});

describe("HTTP front with the official SDK client", () => {
  it("lists and calls proxied tools over Streamable HTTP", async () => {
    const client = await connectHttp(sb.url);
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain("proxy.echo.echo");
      expect(names).toContain("proxy.everything.echo");
      const result = await client.callTool({ name: "proxy.everything.echo", arguments: { message: "through" } });
      expect(JSON.stringify(result.content)).toContain("through");
      const echoed = await client.callTool({ name: "proxy.echo.echo", arguments: { text: "plain" } });
      expect(echoed.content).toEqual([{ type: "text", text: "plain" }]);
    } finally {
      await client.close();
    }
  });

  it("streams progress on a request-scoped SSE stream before the result", async () => {
    const client = await connectHttp(sb.url);
    try {
      const progress: number[] = [];
      const result = await client.callTool(
        { name: "proxy.everything.trigger-long-running-operation", arguments: { duration: 1, steps: 3 } },
        undefined,
        { onprogress: (p) => void progress.push(p.progress) },
      );
      expect(progress).toEqual([1, 2, 3]);
      expect(JSON.stringify(result.content)).toMatch(/Long running operation completed/);
    } finally {
      await client.close();
    }
  });

  it("keeps sessions apart: a DELETEd session answers 404, others go on", async () => {
    const a = new Client({ name: "a", version: "1" });
    const transportA = new StreamableHTTPClientTransport(new URL(sb.url));
    await a.connect(transportA);
    const b = await connectHttp(sb.url, "b");
    const sessionA = transportA.sessionId!;
    expect(sessionA).toMatch(/^[0-9a-f-]{36}$/);
    await transportA.terminateSession();
    const after = await rawRequest(sb.url, {
      method: "POST",
      headers: jsonHeaders({ "Mcp-Session-Id": sessionA, "MCP-Protocol-Version": "2025-11-25" }),
      body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "ping" }),
    });
    expect(after.status).toBe(404);
    expect((await b.callTool({ name: "proxy.echo.echo", arguments: { text: "b" } })).content).toEqual([{ type: "text", text: "b" }]);
    await a.close();
    await b.close();
  });

  it("answers JSON when the client accepts only JSON", async () => {
    const session = await openSession(sb.url);
    const res = await rawRequest(sb.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "proxy.echo.echo", arguments: { text: "json" } } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(JSON.parse(res.body)).toEqual({ jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: "json" }] } });
  });

  it("serves a 2025-03-26 batch and answers with an array", async () => {
    const session = await openSession(sb.url, "2025-03-26");
    const res = await rawRequest(sb.url, {
      method: "POST",
      headers: jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-03-26" }),
      body: JSON.stringify([
        { jsonrpc: "2.0", id: "x", method: "ping" },
        { jsonrpc: "2.0", id: "y", method: "tools/call", params: { name: "proxy.echo.echo", arguments: { text: "batched" } } },
      ]),
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as Array<{ id: string }>;
    expect(body.map((m) => m.id).sort()).toEqual(["x", "y"]);
  });
});

describe("HTTP front refusals", () => {
  const post = (headers: Record<string, string>, body: string) => rawRequest(sb.url, { method: "POST", headers, body });

  it("403 for a foreign Origin, and keeps serving", async () => {
    const res = await post(jsonHeaders({ Origin: "https://evil.example.com" }), initializeBody());
    expect(res.status).toBe(403);
    expect(errorMessage(res.body)).toMatch(/Origin "https:\/\/evil.example.com" is not allowed/);
    const ok = await post(jsonHeaders({ Origin: "http://localhost:6274" }), initializeBody());
    expect(ok.status).toBe(200);
    expect(ok.headers["access-control-allow-origin"]).toBe("http://localhost:6274");
  });

  it("403 for a foreign Host (DNS rebinding)", async () => {
    const port = new URL(sb.url).port;
    const res = await post(jsonHeaders({ Host: "evil.example.com" }), initializeBody());
    expect(res.status).toBe(403);
    expect(errorMessage(res.body)).toMatch(/Host header "evil.example.com" is not allowed/);
    expect((await post(jsonHeaders({ Host: `localhost:${port}` }), initializeBody())).status).toBe(200);
  });

  it("400 without a session id, 404 for an unknown one", async () => {
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
    expect((await post(jsonHeaders(), ping)).status).toBe(400);
    expect((await post(jsonHeaders({ "Mcp-Session-Id": "no-such-session" }), ping)).status).toBe(404);
    // "initialize" sent as a notification is not a request: it mints no session.
    const notification = await post(jsonHeaders(), JSON.stringify({ jsonrpc: "2.0", method: "initialize" }));
    expect(notification.status).toBe(400);
    expect(notification.headers["mcp-session-id"]).toBeUndefined();
  });

  it("400 for an unsupported MCP-Protocol-Version", async () => {
    const session = await openSession(sb.url);
    const res = await post(jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "1999-01-01" }), JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }));
    expect(res.status).toBe(400);
    expect(errorMessage(res.body)).toMatch(/unsupported MCP-Protocol-Version "1999-01-01"/);
    expect(JSON.parse(res.body).error).toMatchObject({ code: -32022, data: { supported: ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] } });
  });

  it("415 for a wrong content type, 400 with -32700 for a body that is not JSON", async () => {
    expect((await post({ "Content-Type": "text/plain", Accept: "application/json" }, initializeBody())).status).toBe(415);
    const bad = await post(jsonHeaders(), "{not json");
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
  });

  it("405 with Allow for other methods; 404 off the endpoint", async () => {
    const res = await rawRequest(sb.url, { method: "PUT", headers: jsonHeaders(), body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers["allow"]).toBe("GET, POST, DELETE, OPTIONS");
    const off = await rawRequest(sb.url.replace(/\/mcp$/, "/elsewhere"));
    expect(off.status).toBe(404);
  });

  it("413 for a body over the limit, and the server keeps serving", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(200 * 1024) } });
    const res = await post(jsonHeaders(), big);
    expect(res.status).toBe(413);
    expect((await post(jsonHeaders(), initializeBody())).status).toBe(200);
  });

  it("a client that hangs up halfway through its body is let go quietly, and the server keeps serving", async () => {
    const { port } = new URL(sb.url);
    for (let i = 0; i < 20; i++) {
      const socket = connect(Number(port), "127.0.0.1");
      await once(socket, "connect");
      socket.write(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: 1000\r\n\r\n" +
          '{"jsonrpc":"2.0","id":1,"method":"initialize",',
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
      socket.destroy();
    }
    expect((await post(jsonHeaders(), initializeBody())).status).toBe(200);
    // No request handler failed (they log "http POST /mcp failed: ...") and nothing went unhandled (that would end the process).
    expect(sb.stderr.filter((line) => /http \w+ \S+ failed|unhandled/i.test(line))).toEqual([]);
    expect(sb.proc.exitCode).toBeNull();
  });

  it("answers CORS preflight with the MCP headers allowed and exposed", async () => {
    const res = await rawRequest(sb.url, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:6274", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "mcp-session-id" },
    });
    expect(res.status).toBe(204);
    expect(String(res.headers["access-control-allow-headers"])).toMatch(/Mcp-Session-Id/);
    expect(String(res.headers["access-control-allow-headers"])).toMatch(/MCP-Protocol-Version/);
    expect(String(res.headers["access-control-allow-methods"])).toMatch(/POST/);
  });

  it("GET /healthz reports each backend's state and no secrets", async () => {
    const res = await rawRequest(sb.url.replace(/\/mcp$/, "/healthz"));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { status: string; backends: Record<string, { state: string }> };
    expect(body.status).toBe("ok");
    expect(body.backends["echo"]!.state).toBe("ready");
    expect(body.backends["everything"]!.state).toBe("ready");
    expect(res.body).not.toMatch(/command|args|env/);
  });

  it("GET opens the session stream; a second GET is refused with 409", async () => {
    const session = await openSession(sb.url);
    const controller = new AbortController();
    const first = await fetch(sb.url, { headers: { Accept: "text/event-stream", "Mcp-Session-Id": session }, signal: controller.signal });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/event-stream");
    const second = await rawRequest(sb.url, { headers: { Accept: "text/event-stream", "Mcp-Session-Id": session } });
    expect(second.status).toBe(409);
    controller.abort();
  });
});

describe("HTTP front id reuse", () => {
  it("refuses an id already in flight in the session, and the first call still gets its answer", async () => {
    const session = await openSession(sb.url);
    const headers = jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" });
    const first = rawRequest(sb.url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 42, method: "tools/call", params: { name: "proxy.echo.sleep", arguments: { ms: 300 } } }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await rawRequest(sb.url, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: 42, method: "ping" }) });
    expect(second.status).toBe(400);
    expect(errorMessage(second.body)).toMatch(/id 42 is already in use/);
    const answered = await first;
    expect(JSON.parse(answered.body)).toEqual({ jsonrpc: "2.0", id: 42, result: { content: [{ type: "text", text: "slept 300" }] } });
  });
});
