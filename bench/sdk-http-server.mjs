// A remote MCP server as most are built: the official v1 SDK's McpServer
// with one "echo" tool behind its Streamable HTTP server transport on
// node:http, one transport per session (stateful). Prints "listening on URL"
// on stderr. The echo server of the "switchboard-remote-sdk" row.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const sessions = new Map();

function open() {
  const server = new McpServer({ name: "sdk-echo", version: "1.0.0" });
  server.registerTool("echo", { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text }] }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (id) => sessions.set(id, transport) });
  transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
  return server.connect(transport).then(() => transport);
}

const http = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
  const id = req.headers["mcp-session-id"];
  let transport = typeof id === "string" ? sessions.get(id) : undefined;
  if (!transport && typeof id === "string") {
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }));
    return;
  }
  transport ??= await open();
  await transport.handleRequest(req, res, body);
});
http.listen(0, "127.0.0.1", () => process.stderr.write(`listening on http://127.0.0.1:${http.address().port}/mcp\n`));
process.on("SIGTERM", () => process.exit(0));
