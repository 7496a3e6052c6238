// The diagnostic tools the 2026-07-28 server scenarios call by name, beside
// the project's conformance fixture (mounted un-prefixed next to it for
// `run-conformance.mjs --suite modern`): a legacy-era stdio backend whose
// tools and prompts change on request, which logs during a call, and whose
// tool mirrors arguments into HTTP headers (x-mcp-header). What the
// switchboard itself must do (per-request logs, listen streams, header
// validation) is what the scenarios then check.
import { notify, send, serve, text, toolsChanged } from "../../fixtures/lib/mini-server.mjs";

/** Requests this backend sent its client, by id: resolved with the client's answer (or error). */
const asked = new Map();
let nextAsk = 1;

/** Send the client (through the switchboard) a request; the tool answers with what came back. */
async function ask(method, params) {
  const id = `ask-${nextAsk++}`;
  const answered = new Promise((resolve) => asked.set(id, resolve));
  send({ jsonrpc: "2.0", id, method, params });
  const reply = await answered;
  return text(JSON.stringify(reply));
}

/** A form elicitation. */
function elicit(message) {
  return ask("elicitation/create", { mode: "form", message, requestedSchema: { type: "object", properties: { answer: { type: "string" } } } });
}

const prompts = [{ name: "diagnostic_prompt", description: "A prompt whose list changes on request" }];
let added = 0;

const tools = [
  {
    name: "test_trigger_tool_change",
    description: "Adds a tool and announces the change (notifications/tools/list_changed)",
    inputSchema: { type: "object", properties: {} },
    handler: () => {
      added += 1;
      tools.push({ name: `diagnostic_added_${added}`, description: "Added by test_trigger_tool_change", inputSchema: { type: "object", properties: {} }, handler: () => text("added") });
      toolsChanged();
      return text(`tool list changed (${added})`);
    },
  },
  {
    name: "test_trigger_prompt_change",
    description: "Adds a prompt and announces the change (notifications/prompts/list_changed)",
    inputSchema: { type: "object", properties: {} },
    handler: () => {
      prompts.push({ name: `diagnostic_prompt_${prompts.length}`, description: "Added by test_trigger_prompt_change" });
      notify("notifications/prompts/list_changed");
      return text("prompt list changed");
    },
  },
  {
    name: "test_logging_tool",
    description: "Sends log messages (info, warning) as it starts, then answers after waitMs (default 50)",
    inputSchema: { type: "object", properties: { waitMs: { type: "integer" } } },
    handler: async ({ waitMs = 50 }) => {
      notify("notifications/message", { level: "info", logger: "diagnostics", data: "test_logging_tool started" });
      notify("notifications/message", { level: "warning", logger: "diagnostics", data: "test_logging_tool warns" });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      return text("logged");
    },
  },
  {
    name: "test_missing_capability",
    description: "Needs the client's sampling capability: asks the client for a completion",
    inputSchema: { type: "object", properties: {} },
    handler: () => ask("sampling/createMessage", { messages: [{ role: "user", content: { type: "text", text: "test_missing_capability" } }], maxTokens: 16 }),
  },
  {
    name: "test_streaming_elicitation",
    description: "Asks the client for input while the call runs",
    inputSchema: { type: "object", properties: {} },
    handler: () => elicit("test_streaming_elicitation asks"),
  },
  {
    name: "test_custom_headers",
    description: "Arguments mirrored into Mcp-Param-* headers (x-mcp-header)",
    inputSchema: {
      type: "object",
      properties: {
        region: { type: "string", "x-mcp-header": "Region" },
        priority: { type: "integer", "x-mcp-header": "Priority" },
        verbose: { type: "boolean", "x-mcp-header": "Verbose" },
        query: { type: "string" },
      },
      required: ["region", "query"],
    },
    handler: (args) => text(JSON.stringify(args)),
  },
];

serve({
  name: "modern-diagnostics",
  tools,
  capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, logging: {} },
  handlers: {
    "prompts/list": () => ({ prompts }),
    "prompts/get": (params) => ({ messages: [{ role: "user", content: { type: "text", text: `prompt ${params.name}` } }] }),
    "logging/setLevel": () => ({}),
  },
  onResponse: (message) => {
    asked.get(message.id)?.(message.error ? { error: message.error } : { result: message.result });
    asked.delete(message.id);
  },
});
