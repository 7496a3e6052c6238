import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import { silentLogger } from "../../src/log/logger.js";
import { LogRouter } from "../../src/gateway/log-router.js";
import type { ClientSink } from "../../src/gateway/request-context.js";
import { newClientContext } from "../../src/gateway/front-session.js";

/** A ready backend that records the requests it gets. */
function fakeBackend(name: string, capabilities: Record<string, unknown>): Backend & { sent: Array<[string, JsonObject | undefined]> } {
  const sent: Array<[string, JsonObject | undefined]> = [];
  return {
    name,
    state: "ready",
    capabilities,
    sent,
    request: (method: string, params: JsonObject | undefined) => {
      sent.push([method, params]);
      return Promise.resolve({});
    },
  } as unknown as Backend & { sent: typeof sent };
}

function sink(): ClientSink & { got: JsonObject[] } {
  const client = newClientContext("embedded");
  client.initialized = true;
  const got: JsonObject[] = [];
  return { client, got, notify: (_method, params) => void got.push(params ?? {}), request: () => Promise.reject(new Error("no requests in this test")) };
}

describe("LogRouter", () => {
  it("sets backends that declare logging to the most verbose level asked for, again when it changes and on apply()", () => {
    const router = new LogRouter(silentLogger);
    const logs = fakeBackend("alpha", { logging: {} });
    const mute = fakeBackend("beta", {});
    router.setLevel("a", "error", [logs, mute]);
    router.setLevel("b", "info", [logs, mute]);
    router.setLevel("c", "warning", [logs, mute]);
    expect(logs.sent).toEqual([
      ["logging/setLevel", { level: "error" }],
      ["logging/setLevel", { level: "info" }],
    ]);
    expect(mute.sent).toEqual([]);
    router.forget("b", [logs]);
    expect(logs.sent.at(-1)).toEqual(["logging/setLevel", { level: "warning" }]);
    router.apply(logs); // after a restart
    expect(logs.sent.at(-1)).toEqual(["logging/setLevel", { level: "warning" }]);
    expect(logs.sent).toHaveLength(4);
  });

  it("gives each client only messages at or above its own level, with the server in logger; no level set: everything", () => {
    const router = new LogRouter(silentLogger);
    const strict = sink();
    const chatty = sink();
    const unset = sink();
    const early = sink();
    early.client.initialized = false;
    router.setLevel(strict.client.id, "error", []);
    router.setLevel(chatty.client.id, "debug", []);
    const clients = [strict, chatty, unset, early];
    router.deliver("alpha", { level: "info", data: "hello" }, clients);
    router.deliver("alpha", { level: "critical", logger: "db", data: "down" }, clients);
    expect(strict.got).toEqual([{ level: "critical", logger: "alpha/db", data: "down" }]);
    expect(chatty.got).toEqual([
      { level: "info", logger: "alpha", data: "hello" },
      { level: "critical", logger: "alpha/db", data: "down" },
    ]);
    expect(unset.got).toHaveLength(2);
    expect(early.got).toEqual([]);
  });
});
