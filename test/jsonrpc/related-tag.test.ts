import { describe, expect, it } from "vitest";
import { Cancellation } from "../../src/jsonrpc/cancellation.js";
import type { JsonRpcRequest } from "../../src/jsonrpc/message.js";
import { JsonRpcPeer } from "../../src/jsonrpc/peer.js";
import { HandTransport } from "../helpers/hand-transport.js";


const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("relatedTag: who sent our request that a remote request arrived on the stream of", () => {
  it("is the tag of the pending request relatedRequestId names, and nothing once it was answered or abandoned, for an untagged or unknown one", async () => {
    const transport = new HandTransport();
    const peer = new JsonRpcPeer(transport);
    const seen: unknown[] = [];
    peer.setRequestHandler("sampling/createMessage", (request) => {
      seen.push(request.relatedTag);
      return {};
    });
    const caller = { who: "client A, call 7" };
    const stop = new Cancellation();
    const answered = peer.request("tools/call", {}, { tag: caller });
    const untagged = peer.request("tools/call", {});
    const abandoned = peer.request("tools/call", {}, { tag: { who: "gone" }, cancellation: stop }).catch(() => "cancelled");
    const [tagged, plain, dropped] = transport.sent.map((message) => (message as JsonRpcRequest).id);
    stop.cancel(new Error("the client cancelled"));
    expect(await abandoned).toBe("cancelled");

    const ask = (id: string, related?: unknown) =>
      transport.onmessage?.({ jsonrpc: "2.0", id, method: "sampling/createMessage" }, related === undefined ? undefined : { relatedRequestId: related as number });
    ask("s1", tagged);
    ask("s2", plain);
    ask("s3", dropped);
    ask("s4", 999);
    ask("s5");
    await tick();
    expect(seen).toEqual([caller, undefined, undefined, undefined, undefined]);

    transport.onmessage?.({ jsonrpc: "2.0", id: tagged!, result: {} });
    transport.onmessage?.({ jsonrpc: "2.0", id: plain!, result: {} });
    await Promise.all([answered, untagged]);
    ask("s6", tagged);
    await tick();
    expect(seen).toHaveLength(6);
    expect(seen[5]).toBeUndefined();
  });
});
