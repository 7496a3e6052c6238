// The Multi Round-Trip Request tools and prompt the 2026-07-28 server
// scenarios (input-required-result-*) call by name, served by a modern-only
// stdio backend (written with the switchboard's own engine: `npm run build`
// first) mounted un-prefixed for `run-conformance.mjs --suite modern`. Its
// InputRequiredResults pass through the switchboard to the suite's client
// with their requestState sealed in the switchboard's own (the bridge's
// modern <-> modern direction); the retries come back with this backend's
// state. Its own states are HMAC-signed, as a server's must be.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { JsonRpcPeer } from "../../dist/jsonrpc/peer.js";
import { JsonRpcError } from "../../dist/jsonrpc/errors.js";
import { NdjsonStreamTransport } from "../../dist/transport/ndjson-stream-transport.js";

const VERSION = "2026-07-28";
const K = { version: "io.modelcontextprotocol/protocolVersion", caps: "io.modelcontextprotocol/clientCapabilities", server: "io.modelcontextprotocol/serverInfo" };
const KEY = randomBytes(32);

const peer = new JsonRpcPeer(new NdjsonStreamTransport(process.stdin, process.stdout, { endOutputOnClose: false }), { label: "the client" });
process.stdin.on("end", () => process.exit(0));

const unsupported = (requested) =>
  new JsonRpcError(-32022, `Unsupported protocol version ${JSON.stringify(requested)}: this server speaks only ${VERSION}`, { supported: [VERSION], requested: requested ?? null });
const complete = (result) => ({ resultType: "complete", ...result });
const text = (t) => complete({ content: [{ type: "text", text: t }] });
const inputRequired = (inputRequests, state) => ({ resultType: "input_required", inputRequests, ...(state === undefined ? {} : { requestState: sign(state) }) });

/** `payload` as a signed state: base64url JSON, a dot, an HMAC of it. */
function sign(payload) {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${createHmac("sha256", KEY).update(body).digest("base64url")}`;
}

/** The payload of a state this backend signed; -32602 for anything else. */
function verify(state) {
  const [body, tag] = typeof state === "string" ? state.split(".") : [];
  const expected = body === undefined ? "" : createHmac("sha256", KEY).update(body).digest("base64url");
  if (!body || !tag || tag.length !== expected.length || !timingSafeEqual(Buffer.from(tag), Buffer.from(expected))) {
    throw new JsonRpcError(-32602, "requestState failed its integrity check");
  }
  return JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
}

/** The client's answer under `key`, when it is an object (anything else counts as no answer). */
function answer(params, key) {
  const responses = params.inputResponses;
  const value = responses !== null && typeof responses === "object" ? responses[key] : undefined;
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

const form = (message, properties, required) => ({ method: "elicitation/create", params: { message, requestedSchema: { type: "object", properties, required } } });
const sample = (prompt, maxTokens) => ({ method: "sampling/createMessage", params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens } });
const ROOTS = { method: "roots/list", params: {} };
const NAME = form("What is your name?", { name: { type: "string" } }, ["name"]);
const sampledText = (result) => (Array.isArray(result?.content) ? result.content.map((c) => c.text ?? "").join("") : String(result?.content?.text ?? ""));

/** Every request must claim the modern version in _meta. */
function modern(method, handler) {
  peer.setRequestHandler(method, (request) => {
    const meta = request.params?._meta ?? {};
    if (meta[K.version] !== VERSION) throw unsupported(meta[K.version]);
    return handler(request.params ?? {}, meta);
  });
}

peer.setRequestHandler("initialize", (request) => {
  throw unsupported(request.params?.protocolVersion);
});

modern("server/discover", () =>
  complete({ supportedVersions: [VERSION], capabilities: { tools: {}, prompts: {} }, _meta: { [K.server]: { name: "modern-mrtr", version: "1.0.0" } }, ttlMs: 60_000, cacheScope: "public" }),
);

const TOOLS = [
  "test_input_required_result_elicitation",
  "test_input_required_result_sampling",
  "test_input_required_result_list_roots",
  "test_input_required_result_request_state",
  "test_input_required_result_multiple_inputs",
  "test_input_required_result_multi_round",
  "test_input_required_result_tampered_state",
  "test_input_required_result_capabilities",
].map((name) => ({ name, description: "MRTR diagnostic tool of the 2026-07-28 conformance scenarios", inputSchema: { type: "object", properties: {} } }));

modern("tools/list", () => complete({ tools: TOOLS, ttlMs: 60_000, cacheScope: "public" }));
modern("prompts/list", () =>
  complete({ prompts: [{ name: "test_input_required_result_prompt", description: "Asks for context (MRTR) before it is rendered" }], ttlMs: 60_000, cacheScope: "public" }),
);

modern("tools/call", (params, meta) => {
  switch (params.name) {
    case "test_input_required_result_elicitation": {
      const given = answer(params, "user_name");
      if (given?.action !== "accept" || typeof given.content?.name !== "string") return inputRequired({ user_name: NAME });
      return text(`Hello, ${given.content.name}!`);
    }
    case "test_input_required_result_sampling": {
      const given = answer(params, "capital_question");
      if (!given) return inputRequired({ capital_question: sample("What is the capital of France?", 100) });
      return text(`The model says: ${sampledText(given)}`);
    }
    case "test_input_required_result_list_roots": {
      const given = answer(params, "client_roots");
      if (!Array.isArray(given?.roots)) return inputRequired({ client_roots: ROOTS });
      return text(`Roots: ${given.roots.map((root) => root.uri).join(", ") || "(none)"}`);
    }
    case "test_input_required_result_request_state": {
      const confirm = form("Please confirm", { ok: { type: "boolean" } }, ["ok"]);
      if (params.requestState === undefined || !answer(params, "confirm")) return inputRequired({ confirm }, { tool: params.name });
      const state = verify(params.requestState);
      if (state.tool !== params.name) throw new JsonRpcError(-32602, "requestState belongs to another tool");
      return text("state-ok: the requestState came back intact");
    }
    case "test_input_required_result_multiple_inputs": {
      const keys = ["user_name", "greeting", "client_roots"];
      if (params.requestState === undefined || keys.some((key) => !answer(params, key))) {
        return inputRequired({ user_name: NAME, greeting: sample("Generate a greeting", 50), client_roots: ROOTS }, { tool: params.name });
      }
      verify(params.requestState);
      return text(`Hello ${answer(params, "user_name").content?.name ?? "?"}: ${sampledText(answer(params, "greeting"))}`);
    }
    case "test_input_required_result_multi_round": {
      const state = params.requestState === undefined ? { round: 1 } : verify(params.requestState);
      const step1 = form("Step 1: What is your name?", { name: { type: "string" } }, ["name"]);
      const step2 = form("Step 2: What is your favorite color?", { color: { type: "string" } }, ["color"]);
      if (state.round === 1) {
        const name = answer(params, "step1");
        if (params.requestState === undefined || !name) return inputRequired({ step1 }, { round: 1 });
        return inputRequired({ step2 }, { round: 2, name: name.content?.name ?? null });
      }
      const color = answer(params, "step2");
      if (!color) return inputRequired({ step2 }, state);
      return text(`${state.name ?? "someone"} likes ${color.content?.color ?? "no colour"}`);
    }
    case "test_input_required_result_tampered_state": {
      const confirm = form("Please confirm", { ok: { type: "boolean" } }, ["ok"]);
      if (params.requestState === undefined) return inputRequired({ confirm }, { tool: params.name });
      verify(params.requestState);
      return text("state verified");
    }
    case "test_input_required_result_capabilities": {
      const declared = meta[K.caps] ?? {};
      const requests = {};
      if (declared.elicitation) requests.user_name = NAME;
      if (declared.sampling) requests.capital_question = sample("What is the capital of France?", 100);
      if (declared.roots) requests.client_roots = ROOTS;
      if (Object.keys(requests).every((key) => answer(params, key))) return text("every declared capability was used");
      return inputRequired(requests, { tool: params.name });
    }
    default:
      throw new JsonRpcError(-32602, `Unknown tool: ${params.name}`);
  }
});

modern("prompts/get", (params) => {
  if (params.name !== "test_input_required_result_prompt") throw new JsonRpcError(-32602, `Unknown prompt: ${params.name}`);
  const given = answer(params, "user_context");
  if (!given) return inputRequired({ user_context: form("What context should the prompt use?", { context: { type: "string" } }, ["context"]) });
  return complete({ messages: [{ role: "user", content: { type: "text", text: `Context: ${given.content?.context ?? "(none)"}` } }] });
});

await peer.start();
