import { randomUUID } from "node:crypto";
import { afterEach, expect } from "vitest";
import type { ClientContext } from "../../src/gateway/request-context.js";
import { CallContext } from "../../src/gateway/request-context.js";
import { Cancellation } from "../../src/jsonrpc/cancellation.js";
import { JsonRpcError } from "../../src/jsonrpc/errors.js";
import type { JsonObject } from "../../src/jsonrpc/message.js";
import { Switchboard } from "../../src/switchboard.js";
import { recordingLogger } from "../helpers/backend.js";
import { fixture, nodeModule } from "../helpers/paths.js";

/**
 * Harness of the gateway-level MRTR bridge tests: a hand-made modern request
 * context (era "modern", capabilities as its _meta declares) calls the
 * routed paths of an embedded switchboard whose backends are real
 * processes (fixtures/mrtr-backend.mjs, server-everything). Importing it
 * registers an afterEach that closes what the test started.
 */

export const EVERYTHING = nodeModule("@modelcontextprotocol/server-everything/dist/index.js");
export const ALL_CAPS = { elicitation: { form: {} }, sampling: {} };
export const ELICIT = { mode: "form", message: "Your name?", requestedSchema: { type: "object", properties: { name: { type: "string" } } } };
export const SAMPLE = { messages: [{ role: "user", content: { type: "text", text: "2+2?" } }], maxTokens: 5 };

export const running: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of running.splice(0)) await item.close();
});

export async function switchboard(proxy: JsonObject = {}, servers: JsonObject = {}, env?: NodeJS.ProcessEnv) {
  const logger = recordingLogger();
  const sb = new Switchboard(
    {
      proxy: { startupWait: 10_000, ...proxy },
      servers: { mrtr: { command: process.execPath, args: [fixture("mrtr-backend")] }, ...servers },
    },
    { logger, reaper: false, stopLadder: { stdinGraceMs: 200, termGraceMs: 200 }, ...(env ? { env } : {}) },
  );
  running.push(sb);
  await sb.start();
  return { sb, gateway: sb.router, logger };
}

let nextId = 1;

/** A modern request's context, as the modern front would build it. */
export function modern(params: JsonObject, capabilities: JsonObject = ALL_CAPS) {
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

export type Sb = Awaited<ReturnType<typeof switchboard>>;

/** A modern tools/call: `retry` adds the MRTR fields. */
export function callTool(sb: Sb, name: string, args: JsonObject, retry: JsonObject = {}, capabilities?: JsonObject) {
  const { context } = modern({ name, arguments: args, ...retry }, capabilities);
  return sb.gateway.callTool(name, args, context) as Promise<JsonObject>;
}

export function inputRequired(result: JsonObject): { inputRequests: Record<string, { method: string; params?: JsonObject }>; requestState: string } {
  expect(result["resultType"]).toBe("input_required");
  expect(typeof result["requestState"]).toBe("string");
  return result as never;
}

export function textOf(result: JsonObject): string {
  const content = result["content"] as Array<{ text?: string }> | undefined;
  return content?.map((part) => part.text ?? "").join("") ?? JSON.stringify(result);
}

export async function rejection(promise: Promise<unknown>): Promise<JsonRpcError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JsonRpcError);
    return error as JsonRpcError;
  }
  throw new Error("expected a JSON-RPC error");
}

export const ASK = "proxy.mrtr.ask-many";
