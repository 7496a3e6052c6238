import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { MAIN } from "./paths.js";

/** An official SDK client over Streamable HTTP. */
export async function connectHttp(url: string, name = "test-client"): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** An official SDK client spawning `node dist/main.js <config> --stdio`. */
export async function connectStdio(configPath: string): Promise<{ client: Client; transport: StdioClientTransport; stderr: string[] }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, configPath, "--stdio"],
    stderr: "pipe",
  });
  const stderr: string[] = [];
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  const client = new Client({ name: "test-client", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, stderr };
}
