import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { ClientContext } from "../../src/gateway/request-context.js";
import { CallContext } from "../../src/gateway/request-context.js";
import { getPrompt, readResource } from "../../src/gateway/surface-requests.js";
import { Cancellation } from "../../src/jsonrpc/cancellation.js";
import { ErrorCode, JsonRpcError } from "../../src/jsonrpc/errors.js";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import { Switchboard } from "../../src/switchboard.js";
import { recordingLogger } from "../helpers/backend.js";
import { fixture, nodeModule } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";

/**
 * The MRTR bridge at gateway level: a hand-made modern request context
 * (era "modern", capabilities from its _meta) calls the routed paths of a
 * switchboard whose backends are real processes: the MRTR fixture (legacy
 * asking, and a backend that answers input_required itself) and
 * server-everything.
 */

const EVERYTHING = nodeModule("@modelcontextprotocol/server-everything/dist/index.js");
const ALL_CAPS = { elicitation: { form: {} }, sampling: {} };
const ELICIT = { mode: "form", message: "Your name?", requestedSchema: { type: "object", properties: { name: { type: "string" } } } };
const SAMPLE = { messages: [{ role: "user", content: { type: "text", text: "2+2?" } }], maxTokens: 5 };

const running: Switchboard[] = [];
afterEach(async () => {
  for (const sb of running.splice(0)) await sb.close();
});

async function switchboard(proxy: JsonObject = {}, servers: JsonObject = {}) {
  const logger = recordingLogger();
  const sb = new Switchboard(
    {
      proxy: { startupWait: 10_000, ...proxy },
      servers: { mrtr: { command: process.execPath, args: [fixture("mrtr-backend")] }, ...servers },
    },
    { logger, reaper: false, stopLadder: { stdinGraceMs: 200, termGraceMs: 200 } },
  );
  running.push(sb);
  await sb.start();
  return { sb, gateway: sb.router, logger };
}

let nextId = 1;

/** A modern request's context, as the modern front would build it. */
function modern(params: JsonObject, capabilities: JsonObject = ALL_CAPS) {
  const client: ClientContext = {
    id: randomUUID(),
    front: "http",
    era: "modern",
    protocolVersion: "2026-07-28",
    clientInfo: { name: "hand-made", version: "1" },
    capabilities,
    initialized: true,
  };
  const cancellation = new Cancellation();
  const notified: Array<{ method: string; params: JsonObject | undefined }> = [];
  const meta = params["_meta"] as JsonObject | undefined;
  const context = new CallContext(client, nextId++, cancellation, meta, async (method, p) => void notified.push({ method, params: p }), () => undefined, params);
  return { context, cancellation, notified };
}

type Sb = Awaited<ReturnType<typeof switchboard>>;

/** A modern tools/call: `retry` adds the MRTR fields. */
function callTool(sb: Sb, name: string, args: JsonObject, retry: JsonObject = {}, capabilities?: JsonObject) {
  const { context } = modern({ name, arguments: args, ...retry }, capabilities);
  return sb.gateway.callTool(name, args, context) as Promise<JsonObject>;
}

function inputRequired(result: JsonObject): { inputRequests: Record<string, { method: string; params?: JsonObject }>; requestState: string } {
  expect(result["resultType"]).toBe("input_required");
  expect(typeof result["requestState"]).toBe("string");
  return result as never;
}

function textOf(result: JsonObject): string {
  const content = result["content"] as Array<{ text?: string }> | undefined;
  return content?.map((part) => part.text ?? "").join("") ?? JSON.stringify(result);
}

async function rejection(promise: Promise<unknown>): Promise<JsonRpcError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JsonRpcError);
    return error as JsonRpcError;
  }
  throw new Error("expected a JSON-RPC error");
}

const ASK = "proxy.mrtr.ask-many";

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

  it("abandons a call its client does not retry in time: the backend's request gets an error and its call is cancelled", async () => {
    const sb = await switchboard({ heldCallTimeout: 1000 });
    const args = { asks: [{ method: "elicitation/create", params: ELICIT }] };
    const first = inputRequired(await callTool(sb, ASK, args));
    await waitFor(() => sb.logger.lines.some((line) => line.includes("[mrtr] cancelled")), 5000, "the backend call cancelled");
    const answered = sb.logger.lines.find((line) => line.includes("[mrtr] answer to ask-"));
    expect(answered).toMatch(/"code":-32000.*abandoned: its client did not retry within 1000 ms/);
    expect(sb.gateway.bridge.heldCount).toBe(0);
    const late = await rejection(callTool(sb, ASK, args, { requestState: first.requestState, inputResponses: { "elicitation-1": { action: "decline" } } }));
    expect(late.code).toBe(ErrorCode.InvalidParams);
    expect(late.message).toMatch(/has expired|no longer holds/);
  });

  it("abandons the call when the client cancels its retry", async () => {
    const sb = await switchboard();
    const args = { asks: [{ method: "elicitation/create", params: ELICIT }], delayMs: 60_000 };
    const first = inputRequired(await callTool(sb, ASK, args));
    const waiting = modern({ name: ASK, arguments: args, requestState: first.requestState, inputResponses: { "elicitation-1": { action: "decline" } } });
    const pending = sb.gateway.callTool(ASK, args, waiting.context);
    await waitFor(() => sb.logger.lines.some((line) => line.includes("answer to ask-1")), 5000, "the answer delivered");
    // The backend works on; the client gives up.
    waiting.cancellation.cancel(new Error("user closed the dialog"));
    const error = await rejection(pending);
    expect(error.message).toMatch(/abandoned: its client cancelled the request/);
    await waitFor(() => sb.logger.lines.some((line) => line.includes("[mrtr] cancelled")), 5000, "the backend call cancelled");
    expect(sb.gateway.bridge.heldCount).toBe(0);
  });

  it("abandons held calls on shutdown: the backend's request gets an error", async () => {
    const sb = await switchboard();
    inputRequired(await callTool(sb, ASK, { asks: [{ method: "elicitation/create", params: ELICIT }] }));
    sb.gateway.bridge.close();
    await waitFor(() => sb.logger.lines.some((line) => line.includes("[mrtr] cancelled")), 5000, "the backend call cancelled");
    expect(sb.logger.lines.find((line) => line.includes("[mrtr] answer to ask-1"))).toMatch(/abandoned: the switchboard is shutting down/);
    expect(sb.gateway.bridge.heldCount).toBe(0);
  });

  it("stops after proxy.maxInputRounds rounds, cancelling the backend call", async () => {
    const sb = await switchboard({ maxInputRounds: 1 });
    const args = { asks: [{ method: "elicitation/create", params: ELICIT }, { method: "elicitation/create", params: ELICIT }] };
    const first = inputRequired(await callTool(sb, ASK, args));
    const error = await rejection(callTool(sb, ASK, args, { requestState: first.requestState, inputResponses: { "elicitation-1": { action: "decline" } } }));
    expect(error.code).toBe(ErrorCode.ServerError);
    expect(error.data).toMatchObject({ reason: "TOO_MANY_ROUNDS" });
    await waitFor(() => sb.logger.lines.some((line) => line.includes("[mrtr] cancelled")), 5000, "the backend call cancelled");
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
