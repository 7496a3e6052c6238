import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/jsonrpc/errors.js";
import { fixture } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";
import { startEverything } from "../helpers/remote.js";
import { ASK, ELICIT, callTool, inputRequired, modern, rejection, running, switchboard, textOf } from "./mrtr-harness.js";

/**
 * How held calls end (see mrtr-harness.ts): expiry, the client's
 * cancellation, shutdown, the held-call and round limits — each cancelling
 * the backend call; ambiguity on a shared stdio process; a Streamable HTTP
 * backend; replicas sharing the state key.
 */

describe("MRTR bridge: held calls end (expiry, cancellation, shutdown, limits)", () => {
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

  it("evicts the call parked longest ago beyond proxy.maxHeldCalls, cancelling it on the backend", async () => {
    // Three processes: on one shared stdio process, a second call asking while the first is held is ambiguous (refused).
    const more = { m2: { command: process.execPath, args: [fixture("mrtr-backend")] }, m3: { command: process.execPath, args: [fixture("mrtr-backend")] } };
    const sb = await switchboard({ maxHeldCalls: 2 }, more);
    const tools = ["proxy.mrtr.ask-many", "proxy.m2.ask-many", "proxy.m3.ask-many"];
    const args = { asks: [{ method: "elicitation/create", params: ELICIT }] };
    const states: string[] = [];
    for (const tool of tools) states.push(inputRequired(await callTool(sb, tool, args)).requestState);
    expect(sb.gateway.bridge.heldCount).toBe(2);
    await waitFor(() => sb.logger.lines.some((line) => line.includes("[mrtr] cancelled")), 5000, "the evicted call cancelled");
    expect(sb.logger.lines.find((line) => line.includes("[mrtr] answer to ask-1"))).toMatch(/oldest of 2 held calls \(proxy.maxHeldCalls\)/);
    const evicted = await rejection(callTool(sb, tools[0] as string, args, { requestState: states[0], inputResponses: {} }));
    expect(evicted.data).toMatchObject({ reason: "UNKNOWN_HELD_CALL" });
    const kept = await callTool(sb, tools[2] as string, args, { requestState: states[2], inputResponses: { "elicitation-1": { action: "decline" } } });
    expect(textOf(kept)).toContain("decline");
  });

  it("refuses, never misroutes, a request of a shared stdio process that two held calls are waiting on", async () => {
    const sb = await switchboard();
    const args = { asks: [{ method: "elicitation/create", params: ELICIT }] };
    inputRequired(await callTool(sb, ASK, args));
    const second = await callTool(sb, ASK, args);
    expect(second["resultType"]).toBeUndefined();
    expect(textOf(second)).toMatch(/AMBIGUOUS|cannot be tied to one of them/);
  });

  it("refuses to the backend requests beyond proxy.maxInputRequests waiting at once", async () => {
    const sb = await switchboard({ maxInputRequests: 2, inputBatchWindow: 300 });
    const args = { parallel: true, asks: [1, 2, 3].map((n) => ({ method: "elicitation/create", params: { ...ELICIT, message: `q${n}` } })) };
    const first = inputRequired(await callTool(sb, ASK, args));
    expect(Object.keys(first.inputRequests)).toEqual(["elicitation-1", "elicitation-2"]);
    const final = await callTool(sb, ASK, args, {
      requestState: first.requestState,
      inputResponses: { "elicitation-1": { action: "decline" }, "elicitation-2": { action: "cancel" } },
    });
    const answers = JSON.parse(textOf(final)) as Array<{ error?: { message: string } }>;
    expect(answers[2]?.error?.message).toMatch(/already has 2 requests waiting for its client \(proxy.maxInputRequests\)/);
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
});

describe("MRTR bridge: a Streamable HTTP backend", () => {
  it("holds the requests that arrive on the response stream of the bridged call", async () => {
    const everything = await startEverything("streamableHttp");
    running.push({ close: everything.stop });
    const sb = await switchboard({}, { remote: { type: "http", url: everything.url } });
    const tool = "proxy.remote.trigger-elicitation-request";
    const first = inputRequired(await callTool(sb, tool, {}));
    const [key, request] = Object.entries(first.inputRequests)[0] as [string, { method: string }];
    expect(request.method).toBe("elicitation/create");
    const done = await callTool(sb, tool, {}, { requestState: first.requestState, inputResponses: { [key]: { action: "accept", content: { name: "Remote Ruth" } } } });
    expect(JSON.stringify(done)).toContain("Remote Ruth");
  });
});

describe("MRTR bridge: replicas", () => {
  it("share sealed states through SWITCHBOARD_STATE_KEY; a held call is refused clearly by the replica that does not hold it", async () => {
    const env = { ...process.env, SWITCHBOARD_STATE_KEY: "replicas share this long secret" };
    const [one, two] = await Promise.all([switchboard({}, {}, env), switchboard({}, {}, env)]);
    const stranger = await switchboard();
    const native = "proxy.mrtr.native";
    const asked = inputRequired(await callTool(one, native, { question: "q?" }));
    const answered = await callTool(two, native, { question: "q?" }, { requestState: asked.requestState, inputResponses: { q: { action: "decline" } } });
    expect(JSON.parse(textOf(answered))).toMatchObject({ state: "native-state:q?" });
    const foreign = await rejection(callTool(stranger, native, { question: "q?" }, { requestState: asked.requestState, inputResponses: {} }));
    expect(foreign.message).toMatch(/another key/);

    const args = { asks: [{ method: "elicitation/create", params: ELICIT }] };
    const held = inputRequired(await callTool(one, ASK, args));
    const elsewhere = await rejection(callTool(two, ASK, args, { requestState: held.requestState, inputResponses: {} }));
    expect(elsewhere.message).toMatch(/held by another replica/);
  });
});
