// The HTTP floor: a bare node:http server answering MCP initialize,
// tools/list and tools/call (echo) itself, in-process, with JSON (GET: 405,
// no server stream). Prints "listening on URL". Also the remote Streamable
// HTTP echo backend of the "switchboard-remote" row.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

const ECHO_TOOL = { name: "echo", inputSchema: { type: "object", properties: { text: { type: "string" } } } };

const server = createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(req.method === "DELETE" ? 200 : 405).end();
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const message = JSON.parse(body);
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const result =
      message.method === "initialize"
        ? { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "bare", version: "1" } }
        : message.method === "tools/list"
          ? { tools: [ECHO_TOOL] }
          : { content: [{ type: "text", text: message.params?.arguments?.text ?? "" }] };
    const out = JSON.stringify({ jsonrpc: "2.0", id: message.id, result });
    const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(out) };
    if (message.method === "initialize") headers["Mcp-Session-Id"] = randomUUID();
    res.writeHead(200, headers).end(out);
  });
});
server.listen(0, "127.0.0.1", () => process.stderr.write(`listening on http://127.0.0.1:${server.address().port}/mcp\n`));
process.on("SIGTERM", () => process.exit(0));
