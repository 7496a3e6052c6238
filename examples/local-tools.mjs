#!/usr/bin/env node
// The seed's third example: local tools registered in code, served beside
// proxied ones, with a local prompt, resource and resource template.
// Run: node examples/local-tools.mjs [--stdio]
import { fileURLToPath } from "node:url";
import { Switchboard } from "../dist/index.js";

const timeServer = fileURLToPath(new URL("./time-server.mjs", import.meta.url));
const mcp = new Switchboard({
  proxy: { enabled: true, namespace: "proxy" },
  servers: { time: { type: "stdio", command: process.execPath, args: [timeServer] } },
});

mcp.tool({ name: "hello", description: "Say hello", inputSchema: { type: "object", properties: { name: { type: "string" } } } },
  ({ name = "world" }) => `Hello, ${name}!`);

mcp.tool({ name: "proxy_status", description: "Proxy statistics" }, () => mcp.getProxyStats());

mcp.tool({ name: "time_in", description: "Current time via the proxied time server",
  inputSchema: { type: "object", properties: { timezone: { type: "string" } } } },
  ({ timezone }) => mcp.callProxiedTool("proxy.time.get_current_time", timezone ? { timezone } : {}));

mcp.prompt({ name: "plan_meeting", description: "Plan a meeting across time zones",
  arguments: [{ name: "zones", description: "Comma-separated IANA time zones", required: true }] },
  ({ zones }) => `Find a meeting hour that is daytime in each of: ${zones}. Use proxy.time.convert_time.`);

mcp.resource({ uri: "status://proxy", name: "proxy status", mimeType: "application/json" },
  () => JSON.stringify(mcp.getProxyStats(), null, 2));

mcp.resourceTemplate({ uriTemplate: "greeting://{name}", name: "greeting", mimeType: "text/plain" },
  (uri) => `Hello, ${decodeURIComponent(uri.slice("greeting://".length))}!`);

const stdio = process.argv.includes("--stdio");
const front = await mcp.run(stdio ? { transport: "stdio" } : { transport: "http" });
if (front.url) console.error(`listening on ${front.url}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => mcp.close().then(() => process.exit(0)));
await front.closed;
await mcp.close();
