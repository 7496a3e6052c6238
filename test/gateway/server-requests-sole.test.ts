import { describe, expect, it } from "vitest";
import { Cancellation } from "../../src/jsonrpc/cancellation.js";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import { ServedRequest } from "../../src/jsonrpc/served-request.js";
import { silentLogger } from "../../src/log/logger.js";
import { ServerRequests, type SoleCall } from "../../src/gateway/server-requests.js";
import type { ClientContext, ClientRequestOptions, ClientSink } from "../../src/gateway/request-context.js";

/** A client that declared sampling, remembering what it was asked. */
function sinkFor(id: string): ClientSink & { asked: ClientRequestOptions[] } {
  const client: ClientContext = { id, front: "http", era: "modern", protocolVersion: "2026-07-28", clientInfo: undefined, capabilities: { sampling: {} }, initialized: true };
  const asked: ClientRequestOptions[] = [];
  return {
    client,
    asked,
    notify: () => undefined,
    request: (_method: string, _params: JsonObject | undefined, options: ClientRequestOptions) => (asked.push(options), Promise.resolve({ ok: true })),
  };
}

function sole(sink: ClientSink, requestId: number): SoleCall {
  return { client: sink.client, requestId, cancellation: new Cancellation(), meta: undefined, signal: new AbortController().signal, notify: () => Promise.resolve(), rosterIndex: -1 } as SoleCall;
}

const sampling = () => new ServedRequest(1, "sampling/createMessage", { messages: [], maxTokens: 1 }, new Cancellation(), () => Promise.resolve(), undefined, undefined);

describe("ServerRequests: sole calls (each a client of its own)", () => {
  const backend = {};
  const origin = { backend, name: "srv", timeoutMs: 1000 };

  it("routes an unlinked backend request to the one sole call in flight, naming its request", async () => {
    const a = sinkFor("mrtr:1");
    const requests = new ServerRequests((id) => (id === a.client.id ? a : undefined), silentLogger);
    const call = sole(a, 7);
    requests.enterSole(backend, call);
    expect(requests.callsInFlight(backend)).toBe(1);
    await expect(requests.serve(origin, sampling())).resolves.toEqual({ ok: true });
    expect(a.asked[0]?.relatedRequestId).toBe(7);
    requests.leaveSole(backend, call);
    expect(requests.callsInFlight(backend)).toBe(0);
    expect(() => requests.serve(origin, sampling())).toThrow(/no client has a request in flight/);
  });

  it("counts each sole call as a client: with another client's call, or another sole call, in flight the request is refused, never guessed", () => {
    const a = sinkFor("mrtr:1");
    const b = sinkFor("mrtr:2");
    const session = sinkFor("session");
    const sinks = new Map([a, b, session].map((sink) => [sink.client.id, sink]));
    const requests = new ServerRequests((id) => sinks.get(id), silentLogger);
    const first = sole(a, 1);
    requests.enterSole(backend, first);
    requests.enterSole(backend, sole(b, 2));
    expect(() => requests.serve(origin, sampling())).toThrow(/2 clients have requests in flight/);
    requests.leaveSole(backend, first);
    const legacy = { client: session.client, requestId: 3, cancellation: new Cancellation(), meta: undefined, signal: new AbortController().signal, notify: () => Promise.resolve() };
    requests.enter(backend, legacy);
    expect(requests.callsInFlight(backend)).toBe(2);
    expect(() => requests.serve(origin, sampling())).toThrow(/2 clients have requests in flight/);
    expect(a.asked).toEqual([]);
    expect(b.asked).toEqual([]);
    expect(session.asked).toEqual([]);
  });
});
