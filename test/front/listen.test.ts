import { request, type IncomingMessage } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fixture, nodeModule } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";
import { example, modernRequest, RawStdio } from "./modern-helpers.js";

const SUB = "io.modelcontextprotocol/subscriptionId";
const WATCHED = "switchboard://everything/demo://resource/static/document/architecture.md";
let config: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(() => {
  config = writeConfig({
    logLevel: "info",
    proxy: { namespace: "proxy", maxListens: 2, listenKeepAlive: 100 },
    servers: {
      echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] },
      everything: { type: "stdio", command: process.execPath, args: [nodeModule("@modelcontextprotocol/server-everything/dist/index.js"), "stdio"] },
    },
  });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function stdio(): RawStdio {
  const client = new RawStdio(config);
  cleanups.push(() => client.close());
  return client;
}

/** One switchboard for the tests that leave it running as they found it. */
let sharedStdio: RawStdio | undefined;
afterAll(async () => {
  await sharedStdio?.close();
});
function shared(): RawStdio {
  sharedStdio ??= new RawStdio(config);
  return sharedStdio;
}

function paramsOf(message: Record<string, unknown>): Record<string, unknown> {
  return message["params"] as Record<string, unknown>;
}

function subscriptionOf(message: Record<string, unknown>): unknown {
  return ((paramsOf(message) as Record<string, unknown> | undefined)?.["_meta"] as Record<string, unknown> | undefined)?.[SUB];
}

describe("subscriptions/listen on stdio (raw)", () => {
  it("acknowledges first (the agreed filter), then only the opted-in kinds, each tagged with the listen's id; cancelled by notifications/cancelled", async () => {
    const sb = shared();
    // Wait for the catalog (the first list waits for starting backends).
    await sb.request(modernRequest("warm", "tools/list"));
    const listen = example("SubscriptionsListenRequest", "listen-for-list-changes");
    sb.send(listen);
    const ack = await sb.next((m) => m["method"] === "notifications/subscriptions/acknowledged");
    // The spec's example asks for a file:// resource nobody serves: omitted from what is agreed.
    expect(paramsOf(ack)).toEqual({ _meta: { [SUB]: "listen-1" }, notifications: { toolsListChanged: true, resourceSubscriptions: [] } });
    expect(sb.received.indexOf(ack)).toBe(sb.received.findIndex((m) => subscriptionOf(m) === "listen-1"));

    await sb.request(modernRequest("add", "tools/call", { name: "proxy.echo.add_tool", arguments: { name: "fresh" } }));
    const changed = await sb.next((m) => m["method"] === "notifications/tools/list_changed");
    expect(subscriptionOf(changed)).toBe("listen-1");
    // Opted-out kinds never come; the legacy way of hearing changes is not used.
    expect(sb.received.some((m) => m["method"] === "notifications/prompts/list_changed")).toBe(false);

    sb.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "listen-1" } });
    // Once a later request is answered, the cancellation was processed: nothing more comes for listen-1.
    await sb.request(modernRequest("sync", "tools/list"));
    const cancelledAt = sb.received.length;
    await sb.request(modernRequest("remove", "tools/call", { name: "proxy.echo.remove_tool", arguments: { name: "fresh" } }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = (await sb.request(modernRequest("after", "tools/list")))["result"] as { tools: Array<{ name: string }> };
    expect(after.tools.map((t) => t.name)).not.toContain("proxy.echo.fresh");
    expect(sb.received.slice(cancelledAt).filter((m) => m["method"] === "notifications/tools/list_changed")).toEqual([]);
    expect(sb.received.some((m) => m["id"] === "listen-1")).toBe(false);
  });

  it("resource subscriptions: subscribed on the backend, updates come with the exposed URI and the subscription id", async () => {
    const sb = shared();
    await sb.request(modernRequest("warm-resources", "resources/list"));
    sb.send(modernRequest("watch", "subscriptions/listen", { notifications: { resourceSubscriptions: [WATCHED] } }));
    const ack = await sb.next((m) => m["method"] === "notifications/subscriptions/acknowledged" && subscriptionOf(m) === "watch");
    expect(paramsOf(ack)["notifications"]).toEqual({ resourceSubscriptions: [WATCHED] });
    await sb.request(modernRequest("toggle", "tools/call", { name: "proxy.everything.toggle-subscriber-updates", arguments: {} }));
    const updated = await sb.next((m) => m["method"] === "notifications/resources/updated" && subscriptionOf(m) === "watch");
    expect(paramsOf(updated)).toMatchObject({ uri: WATCHED, _meta: { [SUB]: "watch" } });
    await sb.request(modernRequest("untoggle", "tools/call", { name: "proxy.everything.toggle-subscriber-updates", arguments: {} }));
  });

  it("is bounded by proxy.maxListens; refuses legacy callers; ends with a completion result when the switchboard shuts down", async () => {
    const sb = stdio();
    sb.send(modernRequest("l1", "subscriptions/listen", { notifications: { toolsListChanged: true } }));
    sb.send(modernRequest("l2", "subscriptions/listen", { notifications: { promptsListChanged: true } }));
    await sb.next((m) => subscriptionOf(m) === "l2");
    const third = await sb.request(modernRequest("l3", "subscriptions/listen", { notifications: {} }));
    expect(third["error"]).toMatchObject({ code: -32000, data: { reason: "LISTEN_LIMIT", limit: 2 } });
    const legacy = await sb.request({ id: "old", method: "subscriptions/listen", params: { notifications: { toolsListChanged: true } } });
    expect(legacy["error"]).toMatchObject({ code: -32601 });
    sb.proc.kill("SIGTERM");
    const closed = await sb.next((m) => m["id"] === "l1");
    expect(closed).toEqual({ jsonrpc: "2.0", id: "l1", result: { resultType: "complete", _meta: { [SUB]: "l1" } } });
  });
});

/** A listen over HTTP: the SSE response, its raw text as it arrives. */
function openListen(url: string, body: Record<string, unknown>): Promise<{ res: IncomingMessage; text: () => string; close: () => void; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "subscriptions/listen" },
    });
    req.once("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      const ended = new Promise<void>((done) => res.once("close", () => done()));
      resolve({ res, text: () => text, close: () => req.destroy(), ended });
    });
    req.on("error", () => undefined);
    req.once("error", reject);
    req.end(JSON.stringify(body));
  });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("subscriptions/listen over HTTP (raw)", () => {
  let sb: SwitchboardProcess;

  it("a long-lived SSE response: X-Accel-Buffering: no, acknowledged first, keep-alive comments, changes; closing it ends the listen; shutdown ends it with a result", async () => {
    sb = await startHttpSwitchboard(config);
    cleanups.push(() => sb.stop());
    const post = (body: Record<string, unknown>, name?: string) =>
      fetch(sb.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": String(body["method"]), ...(name ? { "Mcp-Name": name } : {}) },
        body: JSON.stringify(body),
      });
    await post(modernRequest("warm", "tools/list"));
    const first = await openListen(sb.url, modernRequest(7, "subscriptions/listen", { notifications: { toolsListChanged: true } }));
    expect(first.res.headers["content-type"]).toMatch(/text\/event-stream/);
    expect(first.res.headers["x-accel-buffering"]).toBe("no");
    expect(first.res.headers["mcp-session-id"]).toBeUndefined();
    await until(() => first.text().includes("notifications/subscriptions/acknowledged"));
    const firstEvent = first.text().split("\n").find((line) => line.startsWith("data: "));
    expect(JSON.parse(firstEvent!.slice(6))).toMatchObject({ method: "notifications/subscriptions/acknowledged", params: { _meta: { [SUB]: 7 }, notifications: { toolsListChanged: true } } });
    await until(() => /\n:\n/.test(`\n${first.text()}`));
    await post(modernRequest(8, "tools/call", { name: "proxy.echo.add_tool", arguments: { name: "http-fresh" } }), "proxy.echo.add_tool");
    await until(() => first.text().includes("notifications/tools/list_changed"));
    expect(first.text()).toContain(`"${SUB}":7`);

    // Two open listens fill maxListens; closing one frees its place.
    const second = await openListen(sb.url, modernRequest(9, "subscriptions/listen", { notifications: {} }));
    await until(() => second.text().includes("acknowledged"));
    second.close();
    await second.ended;
    const third = await openListen(sb.url, modernRequest(10, "subscriptions/listen", { notifications: {} }));
    await until(() => third.text().includes("acknowledged"));

    await sb.stop();
    await first.ended;
    expect(first.text()).toContain(`{"jsonrpc":"2.0","id":7,"result":{"resultType":"complete","_meta":{"${SUB}":7}}}`);
  });
});
