import { afterEach, describe, expect, it } from "vitest";
import { Switchboard } from "../../src/switchboard.js";
import { silentLogger } from "../../src/log/logger.js";
import { initializeBody, jsonHeaders, rawRequest } from "../helpers/raw-http.js";

const boards: Switchboard[] = [];
afterEach(async () => {
  for (const board of boards.splice(0)) await board.close();
});

/** An in-process switchboard with one local tool, served over HTTP on 127.0.0.1, any free port. */
async function serve(server: Record<string, unknown> = {}): Promise<string> {
  const board = new Switchboard({ servers: {}, server }, { logger: silentLogger, idleGc: false });
  boards.push(board);
  board.tool({ name: "ping", description: "answers pong", inputSchema: { type: "object" } }, () => ({ content: [{ type: "text", text: "pong" }] }));
  const front = await board.run({ transport: "http", host: "127.0.0.1", port: 0 });
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
});
