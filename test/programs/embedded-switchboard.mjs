#!/usr/bin/env node
// A program embedding the Switchboard class: backends from a config file
// (argv[2]) plus local tools, served on stdio (default) or HTTP (--http).
import { readFileSync } from "node:fs";
import { Switchboard } from "../../dist/index.js";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const board = new Switchboard(config);
board.tool(
  { name: "local_greet", description: "Greets", inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } },
  ({ name }) => `Hello, ${name}!`,
);
board.tool({ name: "local_stats", description: "Proxy statistics" }, () => board.getProxyStats());
board.tool(
  { name: "local_via_proxy", description: "Calls a proxied tool from a local one", inputSchema: { type: "object", properties: { name: { type: "string" }, args: { type: "object" } } } },
  ({ name, args }) => board.callProxiedTool(name, args ?? {}),
);
const http = process.argv.includes("--http");
const front = await board.run(http ? { transport: "http", port: 0 } : { transport: "stdio" });
if (front.url) process.stderr.write(`listening on ${front.url}\n`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void board.close().then(() => process.exit(0)));
await front.closed;
await board.close();
