import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { MAIN } from "./paths.js";

/** Options of a test client: what it declares, and its request handlers, set before it connects. */
export interface ClientSetup {
  capabilities?: ClientCapabilities;
  /** Register handlers (sampling, elicitation, roots) on the client before it connects. */
  setup?: (client: Client) => void;
}

function newClient(name: string, options: ClientSetup): Client {
  const client = new Client({ name, version: "1.0.0" }, options.capabilities ? { capabilities: options.capabilities } : {});
  options.setup?.(client);
  return client;
}

/** An official SDK client over Streamable HTTP. */
export async function connectHttp(url: string, name = "test-client", options: ClientSetup = {}): Promise<Client> {
  const client = newClient(name, options);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** An official SDK client spawning `node dist/main.js <config> --stdio`. */
export async function connectStdio(
  configPath: string,
  options: ClientSetup & { name?: string } = {},
): Promise<{ client: Client; transport: StdioClientTransport; stderr: string[] }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, configPath, "--stdio"],
    stderr: "pipe",
  });
  const stderr: string[] = [];
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  const client = newClient(options.name ?? "test-client", options);
  await client.connect(transport);
  return { client, transport, stderr };
}
