// The tools the 2026-07-28 tasks-* server scenarios (the tasks extension,
// io.modelcontextprotocol/tasks) call by name, served by a modern-only stdio
// backend that speaks the extension itself (written with the switchboard's own
// engine: `npm run build` first), mounted un-prefixed for
// `run-conformance.mjs --suite modern`. The switchboard declares the
// extension because this backend does, replaces its task ids with its own and
// routes tasks/get, tasks/update and tasks/cancel back here.
//
// Tools: greet (sync), slow_compute (task when the client declares the
// extension, else sync), failing_job (task required; ends with a tool error),
// protocol_error_job (ends failed), confirm_delete and multi_input (wait for
// input: one and two elicitations), test_tool_with_task (asks for a name with
// MRTR first, then becomes a task; task required).
import { randomUUID } from "node:crypto";
import { JsonRpcPeer } from "../../dist/jsonrpc/peer.js";
import { JsonRpcError } from "../../dist/jsonrpc/errors.js";
import { NdjsonStreamTransport } from "../../dist/transport/ndjson-stream-transport.js";

const VERSION = "2026-07-28";
const EXT = "io.modelcontextprotocol/tasks";
const K = { version: "io.modelcontextprotocol/protocolVersion", caps: "io.modelcontextprotocol/clientCapabilities", server: "io.modelcontextprotocol/serverInfo" };
const TTL_MS = 300_000;
const POLL_MS = 200;
const MAX_TASKS = 1000;

const peer = new JsonRpcPeer(new NdjsonStreamTransport(process.stdin, process.stdout, { endOutputOnClose: false }), { label: "the client" });
process.stdin.on("end", () => process.exit(0));

const complete = (result) => ({ resultType: "complete", ...result });
const text = (t, isError) => ({ content: [{ type: "text", text: t }], ...(isError ? { isError: true } : {}) });
const form = (message, properties) => ({ method: "elicitation/create", params: { message, requestedSchema: { type: "object", properties } } });
const declares = (meta) => meta[K.caps]?.extensions?.[EXT] !== undefined;
const missing = (what) => new JsonRpcError(-32021, `Missing required client capability: ${what} needs the ${EXT} extension`, { requiredCapabilities: { extensions: { [EXT]: {} } } });
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Tasks by id; the oldest is dropped past MAX_TASKS. */
const tasks = new Map();

/** A new task running `work(task)`; its outcome (a tool result, or a thrown JsonRpcError) settles it. */
function createTask(work) {
  if (tasks.size >= MAX_TASKS) tasks.delete(tasks.keys().next().value);
  const now = new Date().toISOString();
  const task = { taskId: randomUUID(), status: "working", createdAt: now, lastUpdatedAt: now, ttlMs: TTL_MS, pollIntervalMs: POLL_MS, abort: new AbortController(), pending: new Map() };
  tasks.set(task.taskId, task);
  Promise.resolve()
    .then(() => work(task))
    .then(
      (result) => settle(task, task.abort.signal.aborted ? { status: "cancelled" } : { status: "completed", result }),
      (error) => settle(task, task.abort.signal.aborted ? { status: "cancelled" } : { status: "failed", error: { code: error.code ?? -32603, message: error.message ?? String(error) } }),
    );
  return complete({ resultType: "task", ...envelope(task) });
}

function settle(task, outcome) {
  if (["completed", "failed", "cancelled"].includes(task.status)) return;
  Object.assign(task, outcome, { lastUpdatedAt: new Date().toISOString() });
  task.pending.clear();
}

function touch(task, status) {
  task.status = status;
  task.lastUpdatedAt = new Date().toISOString();
}

/** Wait for the client's answer to each of `requests` (key → input request), through tasks/update. */
function ask(task, requests) {
  const answers = Object.entries(requests).map(
    ([key, request]) =>
      new Promise((resolve) => {
        task.pending.set(key, { request, resolve });
      }),
  );
  touch(task, "input_required");
  return Promise.all(answers).then((values) => {
    if (task.status === "input_required") touch(task, "working");
    return values;
  });
}

function envelope(task) {
  const out = { taskId: task.taskId, status: task.status, createdAt: task.createdAt, lastUpdatedAt: task.lastUpdatedAt, ttlMs: task.ttlMs, pollIntervalMs: task.pollIntervalMs };
  if (task.statusMessage) out.statusMessage = task.statusMessage;
  return out;
}

function taskOf(params) {
  const task = typeof params.taskId === "string" ? tasks.get(params.taskId) : undefined;
  if (!task) throw new JsonRpcError(-32602, `Unknown task ${JSON.stringify(params.taskId ?? null)}`);
  return task;
}

/** Every request must claim the modern version in _meta. */
function modern(method, handler) {
  peer.setRequestHandler(method, (request) => {
    const meta = request.params?._meta ?? {};
    if (meta[K.version] !== VERSION) throw new JsonRpcError(-32022, `Unsupported protocol version ${JSON.stringify(meta[K.version])}: this server speaks only ${VERSION}`, { supported: [VERSION] });
    return handler(request.params ?? {}, meta);
  });
}

peer.setRequestHandler("initialize", () => {
  throw new JsonRpcError(-32022, `Unsupported protocol version: this server speaks only ${VERSION}`, { supported: [VERSION] });
});

modern("server/discover", () =>
  complete({ supportedVersions: [VERSION], capabilities: { tools: {}, extensions: { [EXT]: {} } }, _meta: { [K.server]: { name: "modern-tasks", version: "1.0.0" } }, ttlMs: 60_000, cacheScope: "public" }),
);

const tool = (name, description, properties = {}, taskSupport) => ({
  name,
  description,
  inputSchema: { type: "object", properties },
  ...(taskSupport ? { execution: { taskSupport } } : {}),
});
const TOOLS = [
  tool("greet", "Says hello (sync only)", { name: { type: "string" } }),
  tool("slow_compute", "Sleeps `seconds`, then answers (a task when the client declares the tasks extension)", { seconds: { type: "number" }, label: { type: "string" } }, "optional"),
  tool("failing_job", "A task that ends with a tool error", {}, "required"),
  tool("protocol_error_job", "A task that fails with a protocol error", {}, "required"),
  tool("confirm_delete", "A task that asks for confirmation", { filename: { type: "string" } }, "required"),
  tool("multi_input", "A task that asks two questions at once", {}, "required"),
  tool("test_tool_with_task", "Asks for a name (MRTR), then runs as a task", {}, "required"),
];
modern("tools/list", () => complete({ tools: TOOLS, ttlMs: 60_000, cacheScope: "public" }));

modern("tools/call", async (params, meta) => {
  const args = params.arguments ?? {};
  const ext = declares(meta);
  switch (params.name) {
    case "greet":
      return complete(text(`Hello, ${args.name ?? "world"}!`));
    case "slow_compute": {
      const seconds = Number(args.seconds ?? 0);
      const run = async (signal) => {
        await sleep(seconds * 1000, signal);
        return text(`computed ${args.label ?? ""} after ${seconds}s`);
      };
      return ext ? createTask((task) => run(task.abort.signal)) : complete(await run(undefined));
    }
    case "failing_job":
      if (!ext) throw missing(params.name);
      return createTask(async (task) => {
        await sleep(500, task.abort.signal);
        return text("failing_job failed: the job reported an error", true);
      });
    case "protocol_error_job":
      if (!ext) throw missing(params.name);
      return createTask(async (task) => {
        await sleep(200, task.abort.signal);
        throw new JsonRpcError(-32603, "protocol_error_job: internal failure");
      });
    case "confirm_delete":
      if (!ext) throw missing(params.name);
      return createTask(async (task) => {
        const [answer] = await ask(task, { confirm: form(`Delete ${args.filename ?? "the file"}?`, { confirm: { type: "boolean" } }) });
        return text(answer?.action === "accept" ? `Deleted ${args.filename}` : `Kept ${args.filename}`);
      });
    case "multi_input":
      if (!ext) throw missing(params.name);
      return createTask(async (task) => {
        const answers = await ask(task, { first: form("First name?", { name: { type: "string" } }), second: form("Second name?", { name: { type: "string" } }) });
        return text(`Got ${answers.map((a) => a?.content?.name ?? "?").join(" and ")}`);
      });
    case "test_tool_with_task": {
      if (!ext) throw missing(params.name);
      const given = params.inputResponses?.user_name;
      if (given?.action !== "accept" || typeof given.content?.name !== "string") {
        return { resultType: "input_required", inputRequests: { user_name: form("What is your name?", { name: { type: "string" } }) } };
      }
      const name = given.content.name;
      return createTask(async (task) => {
        await sleep(300, task.abort.signal);
        return text(`Hello, ${name}!`);
      });
    }
    default:
      throw new JsonRpcError(-32602, `Unknown tool: ${params.name}`);
  }
});

function gate(meta, method) {
  if (!declares(meta)) throw missing(method);
}

modern("tasks/get", (params, meta) => {
  gate(meta, "tasks/get");
  const task = taskOf(params);
  const out = complete(envelope(task));
  if (task.status === "completed") out.result = task.result;
  if (task.status === "failed") out.error = task.error;
  if (task.status === "input_required") out.inputRequests = Object.fromEntries([...task.pending].map(([key, entry]) => [key, entry.request]));
  return out;
});

modern("tasks/update", (params, meta) => {
  gate(meta, "tasks/update");
  const task = taskOf(params);
  const responses = params.inputResponses !== null && typeof params.inputResponses === "object" ? params.inputResponses : {};
  for (const [key, value] of Object.entries(responses)) {
    const entry = task.pending.get(key);
    if (!entry) continue; // unknown keys are ignored
    task.pending.delete(key);
    entry.resolve(value);
  }
  return complete({});
});

modern("tasks/cancel", (params, meta) => {
  gate(meta, "tasks/cancel");
  const task = taskOf(params);
  if (!["completed", "failed", "cancelled"].includes(task.status)) {
    task.abort.abort();
    settle(task, { status: "cancelled" });
  }
  return complete({});
});

await peer.start();
