import { describe, expect, it } from "vitest";
import { getPrompt, readResource } from "../../src/gateway/surface-requests.js";
import { ErrorCode } from "../../src/jsonrpc/errors.js";
import { ASK, EVERYTHING, ELICIT, SAMPLE, callTool, inputRequired, modern, rejection, switchboard, textOf } from "./mrtr-harness.js";

/**
 * The MRTR bridge at gateway level (see mrtr-harness.ts): a modern client's
 * calls to a legacy backend that elicits and samples (rounds, batching,
 * re-asking, prompts and resources, refused states, capabilities,
 * server-everything), and to a backend that answers input_required itself.
 */

describe("MRTR bridge: modern client, legacy backend", () => {
  it("answers input_required with the backend's elicitation, and the retry returns the final result", async () => {
    const sb = await switchboard();
    const args = { asks: [{ method: "elicitation/create", params: ELICIT }] };
    const first = inputRequired(await callTool(sb, ASK, args));
    expect(first.inputRequests).toEqual({ "elicitation-1": { method: "elicitation/create", params: ELICIT } });
    expect(first.requestState.startsWith("sb1.")).toBe(true);
    const final = await callTool(sb, ASK, args, {
      requestState: first.requestState,
      inputResponses: { "elicitation-1": { action: "accept", content: { name: "Ann" } } },
    });
    expect(final["resultType"]).toBeUndefined();
    expect(JSON.parse(textOf(final))).toEqual([{ action: "accept", content: { name: "Ann" } }]);
    expect(sb.gateway.bridge.heldCount).toBe(0);
  });

  it("carries as many rounds as the backend asks, and re-asks what the retry left unanswered", async () => {
    const sb = await switchboard();
    const args = { asks: [{ method: "elicitation/create", params: ELICIT }, { method: "sampling/createMessage", params: SAMPLE }] };
    const first = inputRequired(await callTool(sb, ASK, args));
    expect(Object.keys(first.inputRequests)).toEqual(["elicitation-1"]);
    // A retry without the answer: asked again, under a new state.
    const again = inputRequired(await callTool(sb, ASK, args, { requestState: first.requestState, inputResponses: { unrelated: { x: 1 } } }));
    expect(again.inputRequests).toEqual(first.inputRequests);
    expect(again.requestState).not.toBe(first.requestState);
    // The first round's state is spent: replaying it is refused.
    const stale = await rejection(callTool(sb, ASK, args, { requestState: first.requestState, inputResponses: { "elicitation-1": { action: "accept" } } }));
    expect(stale.code).toBe(ErrorCode.InvalidParams);
    expect(stale.data).toMatchObject({ reason: "STALE_REQUEST_STATE" });
    const second = inputRequired(
      await callTool(sb, ASK, args, { requestState: again.requestState, inputResponses: { "elicitation-1": { action: "decline" } } }),
    );
    expect(second.inputRequests).toEqual({ "sampling-2": { method: "sampling/createMessage", params: SAMPLE } });
    const sampled = { role: "assistant", content: { type: "text", text: "4" }, model: "m", stopReason: "endTurn" };
    const final = await callTool(sb, ASK, args, { requestState: second.requestState, inputResponses: { "sampling-2": sampled } });
    expect(JSON.parse(textOf(final))).toEqual([{ action: "decline" }, sampled]);
  });

  it("gathers requests the backend sends together into one InputRequiredResult", async () => {
    const sb = await switchboard({ inputBatchWindow: 300 });
    const args = { parallel: true, asks: [{ method: "elicitation/create", params: ELICIT }, { method: "sampling/createMessage", params: SAMPLE }] };
    const first = inputRequired(await callTool(sb, ASK, args));
    expect(Object.keys(first.inputRequests).sort()).toEqual(["elicitation-1", "sampling-2"]);
    const final = await callTool(sb, ASK, args, {
      requestState: first.requestState,
      inputResponses: { "elicitation-1": { action: "cancel" }, "sampling-2": { role: "assistant", content: { type: "text", text: "4" }, model: "m" } },
    });
    expect(JSON.parse(textOf(final))).toHaveLength(2);
  });

  it("bridges prompts/get and resources/read too", async () => {
    const sb = await switchboard();
    const promptParams = { name: "proxy.mrtr.ask-prompt" };
    const first = inputRequired(await getPrompt(sb.gateway, promptParams, modern(promptParams).context));
    const retry = { ...promptParams, requestState: first.requestState, inputResponses: { "elicitation-1": { action: "accept", content: { name: "Bo" } } } };
    const prompt = await getPrompt(sb.gateway, retry, modern(retry).context);
    expect(JSON.stringify(prompt)).toContain("prompted for");
    expect(JSON.stringify(prompt)).toContain("Bo");

    const readParams = { uri: "switchboard://mrtr/mrtr://asked" };
    const asked = inputRequired(await readResource(sb.gateway, readParams, modern(readParams).context));
    const readRetry = { ...readParams, requestState: asked.requestState, inputResponses: { "elicitation-1": { action: "decline" } } };
    const read = await readResource(sb.gateway, readRetry, modern(readRetry).context);
    expect(read["contents"]).toEqual([{ uri: "switchboard://mrtr/mrtr://asked", text: 'read for {"action":"decline"}' }]);
  });

  it("refuses a tampered state, a state used for other arguments or another tool, and a state whose call is over (-32602)", async () => {
    const sb = await switchboard();
    const args = { asks: [{ method: "elicitation/create", params: ELICIT }] };
    const first = inputRequired(await callTool(sb, ASK, args));
    const tampered = first.requestState.slice(0, -2) + (first.requestState.endsWith("A") ? "BB" : "AA");
    const bad = await rejection(callTool(sb, ASK, args, { requestState: tampered, inputResponses: {} }));
    expect(bad.code).toBe(ErrorCode.InvalidParams);
    expect(bad.message).toMatch(/requestState .* send the original request again/);

    const otherArgs = await rejection(callTool(sb, ASK, { asks: [] }, { requestState: first.requestState, inputResponses: {} }));
    expect(otherArgs.code).toBe(ErrorCode.InvalidParams);
    expect(otherArgs.data).toMatchObject({ reason: "REQUEST_STATE_MISMATCH" });
    const otherTool = await rejection(callTool(sb, "proxy.mrtr.native", args, { requestState: first.requestState }));
    expect(otherTool.data).toMatchObject({ reason: "REQUEST_STATE_MISMATCH" });

    // The call is still held: answering it completes it; the same state again names nothing.
    const answer = { requestState: first.requestState, inputResponses: { "elicitation-1": { action: "decline" } } };
    expect(textOf(await callTool(sb, ASK, args, answer))).toContain("decline");
    const replay = await rejection(callTool(sb, ASK, args, answer));
    expect(replay.code).toBe(ErrorCode.InvalidParams);
    expect(replay.data).toMatchObject({ reason: "UNKNOWN_HELD_CALL" });
  });
  it("never asks a client for what it did not declare", async () => {
    const sb = await switchboard();
    const args = { asks: [{ method: "sampling/createMessage", params: SAMPLE }] };
    const result = await callTool(sb, ASK, args, {}, { elicitation: { form: {} } });
    expect(result["resultType"]).toBeUndefined();
    expect(textOf(result)).toMatch(/not passed on: .*sampling/);
  });

  it("works with server-everything's trigger tools", async () => {
    const sb = await switchboard({}, { everything: { command: process.execPath, args: [EVERYTHING, "stdio"] } });
    const elicit = "proxy.everything.trigger-elicitation-request";
    const first = inputRequired(await callTool(sb, elicit, {}));
    const [key, request] = Object.entries(first.inputRequests)[0] as [string, { method: string }];
    expect(request.method).toBe("elicitation/create");
    const elicited = await callTool(sb, elicit, {}, { requestState: first.requestState, inputResponses: { [key]: { action: "accept", content: { name: "Zed" } } } });
    expect(JSON.stringify(elicited)).toContain("Zed");

    const sample = "proxy.everything.trigger-sampling-request";
    const sargs = { prompt: "hello", maxTokens: 5 };
    const asked = inputRequired(await callTool(sb, sample, sargs));
    const [skey, srequest] = Object.entries(asked.inputRequests)[0] as [string, { method: string }];
    expect(srequest.method).toBe("sampling/createMessage");
    const answer = { role: "assistant", content: { type: "text", text: "sampled through the bridge" }, model: "m", stopReason: "endTurn" };
    const sampled = await callTool(sb, sample, sargs, { requestState: asked.requestState, inputResponses: { [skey]: answer } });
    expect(JSON.stringify(sampled)).toContain("sampled through the bridge");
  });
});

describe("MRTR bridge: modern client, backend answering input_required", () => {
  it("passes the InputRequiredResult through with the backend's state sealed, and the retry reaches the backend with its own state", async () => {
    const sb = await switchboard();
    const tool = "proxy.mrtr.native";
    const first = inputRequired(await callTool(sb, tool, { question: "colour?" }));
    expect(first.inputRequests).toEqual({ q: { method: "elicitation/create", params: expect.objectContaining({ message: "colour?" }) } });
    expect(first.requestState).not.toContain("native-state");
    const final = await callTool(sb, tool, { question: "colour?" }, { requestState: first.requestState, inputResponses: { q: { action: "accept", content: { c: "red" } } } });
    expect(JSON.parse(textOf(final))).toEqual({ state: "native-state:colour?", answer: { action: "accept", content: { c: "red" } } });

    const replayed = await rejection(callTool(sb, tool, { question: "size?" }, { requestState: first.requestState, inputResponses: { q: { action: "decline" } } }));
    expect(replayed.code).toBe(ErrorCode.InvalidParams);
    expect(replayed.data).toMatchObject({ reason: "REQUEST_STATE_MISMATCH" });
  });
});
