import { describe, expect, it } from "vitest";
import type { JsonRpcId } from "../../src/jsonrpc/message.js";
import { JsonRpcPeer } from "../../src/jsonrpc/peer.js";
import { HandTransport } from "../helpers/hand-transport.js";


const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("relatedRequestId: the link from a server's request to our request whose stream carried it", () => {
  it("reaches the handler as IncomingRequest.relatedRequestId, and is undefined when the transport names none", async () => {
    const transport = new HandTransport();
    const peer = new JsonRpcPeer(transport);
    const seen: Array<JsonRpcId | undefined> = [];
    peer.setRequestHandler("sampling/createMessage", (request) => {
      seen.push(request.relatedRequestId);
      return {};
    });
    transport.onmessage?.({ jsonrpc: "2.0", id: "s1", method: "sampling/createMessage" }, { relatedRequestId: 42 });
    transport.onmessage?.({ jsonrpc: "2.0", id: "s2", method: "sampling/createMessage" });
    transport.onmessage?.({ jsonrpc: "2.0", id: "s3", method: "sampling/createMessage" }, {});
    await tick();
    expect(seen).toEqual([42, undefined, undefined]);
    expect("relatedRequestId" in (await captured(peer, transport))).toBe(true);
  });

  it("survives the wait for a slot: a queued request keeps its link", async () => {
    const transport = new HandTransport();
    const peer = new JsonRpcPeer(transport, { maxConcurrentIncoming: 1 });
    const seen: Array<JsonRpcId | undefined> = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    peer.setRequestHandler("block", async () => {
      await gate;
      return {};
    });
    peer.setRequestHandler("roots/list", (request) => {
      seen.push(request.relatedRequestId);
      return { roots: [] };
    });
    transport.onmessage?.({ jsonrpc: "2.0", id: 1, method: "block" });
    transport.onmessage?.({ jsonrpc: "2.0", id: 2, method: "roots/list" }, { relatedRequestId: "ours-7" });
    transport.onmessage?.({ jsonrpc: "2.0", id: 3, method: "roots/list" });
    await tick();
    expect(seen).toEqual([]);
    release();
    await tick();
    expect(seen).toEqual(["ours-7", undefined]);
  });
});

/** The request object a handler gets (the field is an own property, so every request has one shape). */
async function captured(peer: JsonRpcPeer, transport: HandTransport): Promise<object> {
  let request: object | undefined;
  peer.setRequestHandler("probe", (incoming) => {
    request = incoming;
    return {};
  });
  transport.onmessage?.({ jsonrpc: "2.0", id: "p", method: "probe" });
  await tick();
  return request!;
}
