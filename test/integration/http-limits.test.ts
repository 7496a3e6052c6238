import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";
import { initializeBody, jsonHeaders, openSession, rawRequest } from "../helpers/raw-http.js";
import { waitFor } from "../helpers/procfs.js";

const running: SwitchboardProcess[] = [];
afterEach(async () => {
  for (const sb of running.splice(0)) await sb.stop();
});

async function start(server: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Promise<SwitchboardProcess> {
  const config = writeConfig({
    servers: { echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] } },
    server,
  });
  const sb = await startHttpSwitchboard(config, [], env);
  running.push(sb);
  return sb;
}

describe("HTTP front limits and auth", () => {
  it("401 with WWW-Authenticate without or with a wrong bearer token; 200 with the right one", async () => {
    const sb = await start({ authToken: "${SB_TEST_TOKEN}" }, { ...process.env, SB_TEST_TOKEN: "s3cret-token" });
    const missing = await rawRequest(sb.url, { method: "POST", headers: jsonHeaders(), body: initializeBody() });
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
    const wrong = await rawRequest(sb.url, { method: "POST", headers: jsonHeaders({ Authorization: "Bearer nope" }), body: initializeBody() });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/invalid_token/);
    const right = await rawRequest(sb.url, { method: "POST", headers: jsonHeaders({ Authorization: "Bearer s3cret-token" }), body: initializeBody() });
    expect(right.status).toBe(200);
    // Health stays open for load balancers, without secrets.
    const health = await rawRequest(sb.url.replace(/\/mcp$/, "/healthz"));
    expect(health.status).toBe(200);
    expect(health.body).not.toContain("s3cret-token");
  });

  it("refuses sessions over the limit with 503, and accepts again after one ends", async () => {
    const sb = await start({ maxSessions: 2 });
    const first = await openSession(sb.url);
    await openSession(sb.url);
    const third = await rawRequest(sb.url, { method: "POST", headers: jsonHeaders(), body: initializeBody() });
    expect(third.status).toBe(503);
    expect(third.body).toMatch(/session limit/);
    const deleted = await rawRequest(sb.url, { method: "DELETE", headers: { "Mcp-Session-Id": first } });
    expect(deleted.status).toBe(200);
    expect((await rawRequest(sb.url, { method: "POST", headers: jsonHeaders(), body: initializeBody() })).status).toBe(200);
  });

  it("ends idle sessions (404 afterwards) and their GET streams", async () => {
    const sb = await start({ sessionIdleTimeout: 1000 });
    const session = await openSession(sb.url);
    const stream = await fetch(sb.url, { headers: { Accept: "text/event-stream", "Mcp-Session-Id": session } });
    expect(stream.status).toBe(200);
    const ended = (async () => {
      const reader = stream.body!.getReader();
      for (;;) {
        const { done } = await reader.read();
        if (done) return true;
      }
    })();
    await waitFor(async () => (await ended.then(() => true)), 5000, "stream end");
    const res = await rawRequest(sb.url, {
      method: "POST",
      headers: jsonHeaders({ "Mcp-Session-Id": session }),
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(res.status).toBe(404);
  });
});

describe("HTTP front against slow clients", () => {
  it("closes a connection that never finishes its headers, and keeps serving others", async () => {
    const sb = await start({ headersTimeout: 1000 });
    const target = new URL(sb.url);
    const socket = connect(Number(target.port), target.hostname);
    socket.on("error", () => undefined);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n`);
    const t0 = Date.now();
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    await new Promise((resolve) => socket.once("close", resolve));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect((await rawRequest(sb.url, { method: "POST", headers: jsonHeaders(), body: initializeBody() })).status).toBe(200);
  });
});
