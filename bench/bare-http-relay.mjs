// The floor of any HTTP-to-HTTP gateway: a bare node:http server that relays
// each request's body to one upstream URL (keep-alive agent, as many sockets
// as the switchboard's remote default) and the upstream's status, type,
// session header and body back, reading no message. Two HTTP hops and
// nothing else: what the remote row cannot beat. Usage: node bare-http-relay.mjs UPSTREAM_URL
import { Agent, createServer, request } from "node:http";

const upstream = new URL(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 32, maxFreeSockets: 32, scheduling: "lifo" });
const PASSED = ["content-type", "accept", "mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name"];

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const headers = { "content-length": body.length };
    for (const name of PASSED) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
    const out = request({ host: upstream.hostname, port: upstream.port, path: upstream.pathname, method: req.method, headers, agent }, (answer) => {
      const parts = [];
      answer.on("data", (chunk) => parts.push(chunk));
      answer.on("end", () => {
        const data = Buffer.concat(parts);
        const back = { "content-length": data.length };
        for (const name of ["content-type", "mcp-session-id"]) if (answer.headers[name] !== undefined) back[name] = answer.headers[name];
        res.writeHead(answer.statusCode ?? 502, back).end(data);
      });
    });
    out.on("error", () => res.writeHead(502).end());
    out.end(body);
  });
});
server.listen(0, "127.0.0.1", () => process.stderr.write(`listening on http://127.0.0.1:${server.address().port}/mcp\n`));
process.on("SIGTERM", () => process.exit(0));
