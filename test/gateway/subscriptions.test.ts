import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import { Cancellation } from "../../src/jsonrpc/cancellation.js";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import { silentLogger } from "../../src/log/logger.js";
import { newClientContext } from "../../src/gateway/front-session.js";
import { CallContext, type ClientSink } from "../../src/gateway/request-context.js";
import { Subscriptions } from "../../src/gateway/subscriptions.js";

function fakeBackend(name: string): Backend & { sent: Array<[string, JsonObject | undefined]> } {
  const sent: Array<[string, JsonObject | undefined]> = [];
  return {
    name,
    state: "ready",
    sent,
    request: (method: string, params: JsonObject | undefined) => {
      sent.push([method, { uri: params?.["uri"] } as JsonObject]);
      return Promise.resolve({});
    },
  } as unknown as Backend & { sent: typeof sent };
}

function client(): { sink: ClientSink & { got: string[] }; context: CallContext } {
  const context = newClientContext("http");
  const got: string[] = [];
  const sink = {
    client: context,
    got,
    notify: (_m: string, params?: JsonObject) => void got.push(String(params?.["uri"])),
    request: () => Promise.reject(new Error("no requests in this test")),
  };
  return { sink, context: new CallContext(context, 1, new Cancellation(), undefined, async () => undefined, () => undefined) };
}

describe("Subscriptions", () => {
  it("forwards the first subscribe and the last unsubscribe per (backend, URI), and updates reach subscribers only with their URI", async () => {
    const subs = new Subscriptions(silentLogger);
    const alpha = fakeBackend("alpha");
    const a = client();
    const b = client();
    const c = client();
    const clients = new Map([a, b, c].map((x) => [x.sink.client.id, x.sink]));
    await subs.subscribe(alpha, "file:///x", "switchboard://alpha/file:///x", a.context);
    await subs.subscribe(alpha, "file:///x", "switchboard://alpha/file:///x", b.context);
    expect(alpha.sent).toEqual([["resources/subscribe", { uri: "file:///x" }]]);

    subs.updated(alpha, { uri: "file:///x" }, clients);
    subs.updated(alpha, { uri: "file:///other" }, clients);
    expect(a.sink.got).toEqual(["switchboard://alpha/file:///x"]);
    expect(b.sink.got).toEqual(["switchboard://alpha/file:///x"]);
    expect(c.sink.got).toEqual([]);

    await subs.unsubscribe(alpha, "file:///x", a.context);
    expect(alpha.sent).toHaveLength(1);
    subs.renew(alpha); // the backend restarted
    expect(alpha.sent.at(-1)).toEqual(["resources/subscribe", { uri: "file:///x" }]);
    subs.forget(b.sink.client.id); // b's session ends: it was the last
    expect(alpha.sent.at(-1)).toEqual(["resources/unsubscribe", { uri: "file:///x" }]);
    expect(subs.size).toBe(0);
    subs.updated(alpha, { uri: "file:///x" }, clients);
    expect(b.sink.got).toHaveLength(1);
  });
});
