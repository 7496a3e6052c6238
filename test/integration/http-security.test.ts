import { afterEach, describe, expect, it } from "vitest";
import { Switchboard } from "../../src/switchboard.js";
import { silentLogger } from "../../src/log/logger.js";
import { fixture } from "../helpers/paths.js";
import { initializeBody, jsonHeaders, rawRequest } from "../helpers/raw-http.js";

const boards: Switchboard[] = [];
afterEach(async () => {
  for (const board of boards.splice(0)) await board.close();
});

/** An in-process switchboard with one local tool, served over HTTP on `host` (127.0.0.1), any free port. */
async function serve(server: Record<string, unknown> = {}, host = "127.0.0.1"): Promise<string> {
  const board = new Switchboard({ servers: {}, server }, { logger: silentLogger, idleGc: false });
  boards.push(board);
  board.tool({ name: "ping", description: "answers pong", inputSchema: { type: "object" } }, () => ({ content: [{ type: "text", text: "pong" }] }));
  const front = await board.run({ transport: "http", host, port: 0 });
  return front.url!;
}

function preflight(url: string, origin: string) {
  return rawRequest(url, {
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, mcp-session-id" },
  });
}

const EVIL_ORIGINS = [
  "http://127.0.0.1.evil.example",
  "http://127.0.0.1.evil.example:6274",
  "http://127.evil.example",
  "http://localhost.evil.example",
  "http://127.0.0.1@evil.example",
  "http://localhost.",
  "null",
  "file://",
];

describe("HTTP front: Origin is loopback only when it is exactly loopback", () => {
  it("a look-alike origin gets 403 on preflight and on initialize, with no CORS headers and no session", async () => {
    const url = await serve();
    for (const origin of EVIL_ORIGINS) {
      const options = await preflight(url, origin);
      expect({ origin, status: options.status }).toEqual({ origin, status: 403 });
      expect(options.headers["access-control-allow-origin"]).toBeUndefined();
      const init = await rawRequest(url, { method: "POST", headers: jsonHeaders({ Origin: origin }), body: initializeBody() });
      expect({ origin, status: init.status }).toEqual({ origin, status: 403 });
      expect(init.headers["access-control-allow-origin"]).toBeUndefined();
      expect(init.headers["mcp-session-id"]).toBeUndefined();
      expect(init.body).toMatch(/server\.allowedOrigins/);
    }
  });

  it("genuine loopback origins still get preflight, CORS and a session", async () => {
    const url = await serve();
    for (const origin of ["http://127.0.0.1:6274", "http://localhost:6274", "http://[::1]:6274"]) {
      const options = await preflight(url, origin);
      expect({ origin, status: options.status }).toEqual({ origin, status: 204 });
      expect(options.headers["access-control-allow-origin"]).toBe(origin);
      const init = await rawRequest(url, { method: "POST", headers: jsonHeaders({ Origin: origin }), body: initializeBody() });
      expect({ origin, status: init.status }).toEqual({ origin, status: 200 });
      expect(init.headers["access-control-allow-origin"]).toBe(origin);
      expect(init.headers["mcp-session-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("a listed origin is allowed exactly, not as a prefix", async () => {
    const url = await serve({ allowedOrigins: ["https://app.example.com"] });
    expect((await preflight(url, "https://app.example.com")).status).toBe(204);
    expect((await preflight(url, "https://app.example.com.evil.example")).status).toBe(403);
  });
});

describe("HTTP front: Host is checked strictly while bound to loopback", () => {
  it("refuses Host values with junk around a loopback name, accepts exact ones", async () => {
    const url = await serve();
    const port = new URL(url).port;
    for (const host of [`127.0.0.1:${port}@evil.example`, `127.0.0.1.evil.example:${port}`, `localhost.:${port}`, `[::1]evil:${port}`, "127.999.0.1"]) {
      const res = await rawRequest(url, { method: "POST", headers: jsonHeaders({ Host: host }), body: initializeBody() });
      expect({ host, status: res.status }).toEqual({ host, status: 403 });
      expect(res.body).toMatch(/DNS rebinding/);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const res = await rawRequest(url, { method: "POST", headers: jsonHeaders({ Host: host }), body: initializeBody() });
      expect({ host, status: res.status }).toEqual({ host, status: 200 });
    }
  });

  it("keeps the Host check on when the listen name is not spelled as loopback but binds to it", async () => {
    // getaddrinfo reads 0x7f.0.0.1 as 127.0.0.1; the bound address decides.
    const url = await serve({}, "0x7f.0.0.1");
    expect(new URL(url).hostname).toBe("127.0.0.1");
    const res = await rawRequest(url, { method: "POST", headers: jsonHeaders({ Host: "evil.example" }), body: initializeBody() });
    expect(res.status).toBe(403);
  });
});

describe("HTTP front: /healthz and server.authToken", () => {
  const echo = { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] };

  async function serveWithBackend(server: Record<string, unknown>): Promise<string> {
    const board = new Switchboard({ servers: { "secret-name": echo }, server }, { logger: silentLogger, idleGc: false });
    boards.push(board);
    await board.start(); // the report is "ok" only once the backend is up
    const front = await board.run({ transport: "http", host: "127.0.0.1", port: 0 });
    return front.url!.replace(/\/mcp$/, "/healthz");
  }

  it("with a token set, a caller without Authorization gets only the status, no names", async () => {
    const health = await serveWithBackend({ authToken: "s3cret-token" });
    const res = await rawRequest(health);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: "ok" });
    expect(res.body).not.toContain("secret-name");
  });

  it("with a token set, a wrong token gets 401 with WWW-Authenticate, the right one the full report", async () => {
    const health = await serveWithBackend({ authToken: "s3cret-token" });
    const wrong = await rawRequest(health, { headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/^Bearer .*invalid_token/);
    expect(wrong.body).not.toContain("secret-name");
    const basic = await rawRequest(health, { headers: { Authorization: "Basic czNjcmV0LXRva2Vu" } });
    expect(basic.status).toBe(401);
    expect(basic.headers["www-authenticate"]).toMatch(/^Bearer/);
    const right = await rawRequest(health, { headers: { Authorization: "Bearer s3cret-token" } });
    expect(right.status).toBe(200);
    const body = JSON.parse(right.body) as { status: string; sessions: number; backends: Record<string, { state: string }> };
    expect(body.status).toBe("ok");
    expect(body.backends["secret-name"]!.state).toBe("ready");
    expect(right.body).not.toContain("s3cret-token");
  });

  it("without a token configured, anyone on an allowed Host gets the full report", async () => {
    const health = await serveWithBackend({});
    const res = await rawRequest(health);
    expect(res.status).toBe(200);
    expect(Object.keys(JSON.parse(res.body) as object)).toEqual(["status", "sessions", "backends"]);
    expect(res.body).toContain("secret-name");
  });

  it("Host and Origin checks apply to /healthz too", async () => {
    const health = await serveWithBackend({ authToken: "s3cret-token" });
    expect((await rawRequest(health, { headers: { Host: "evil.example" } })).status).toBe(403);
    expect((await rawRequest(health, { headers: { Origin: "http://127.0.0.1.evil.example" } })).status).toBe(403);
  });
});
