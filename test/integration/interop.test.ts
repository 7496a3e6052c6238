import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { MAIN, nodeModule } from "../helpers/paths.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/**
 * Interop matrix: real npm MCP servers, driven by the official SDK client
 * directly and through both fronts of the switchboard. Everything the client
 * sees through the switchboard must equal what it sees directly, apart from
 * the documented renaming of tools (`proxy.<server>.` prefix) and of resource
 * URIs inside results (`switchboard://<server>/` in front).
 */

const files = mkdtempSync(join(tmpdir(), "sb-interop-fs-"));
mkdirSync(join(files, "sub"));
writeFileSync(join(files, "a.txt"), "alpha\nbeta\n");
writeFileSync(join(files, "sub", "b.txt"), "gamma");

interface ServerCase {
  args: () => string[];
  env?: () => Record<string, string>;
  calls: Array<[string, Record<string, unknown>]>;
}

const CASES: Record<string, ServerCase> = {
  everything: {
    args: () => [nodeModule("@modelcontextprotocol/server-everything/dist/index.js"), "stdio"],
    calls: [
      ["echo", { message: "héllo ✓" }],
      ["get-sum", { a: 2, b: 40 }],
      ["get-tiny-image", {}],
      ["get-structured-content", { location: "Chicago" }],
      ["get-annotated-message", { messageType: "error", includeImage: true }],
      ["get-resource-links", { count: 2 }],
      ["get-resource-reference", { resourceType: "Text", resourceId: 2 }],
      ["get-sum", { a: "not a number" }],
    ],
  },
  memory: {
    args: () => [nodeModule("@modelcontextprotocol/server-memory/dist/index.js")],
    env: () => ({ MEMORY_FILE_PATH: join(mkdtempSync(join(tmpdir(), "sb-interop-mem-")), "memory.jsonl") }),
    calls: [
      ["create_entities", { entities: [{ name: "switchboard", entityType: "project", observations: ["routes MCP"] }] }],
      ["create_relations", { relations: [{ from: "switchboard", to: "switchboard", relationType: "self" }] }],
      ["read_graph", {}],
      ["search_nodes", { query: "routes" }],
    ],
  },
  filesystem: {
    args: () => [nodeModule("@modelcontextprotocol/server-filesystem/dist/index.js"), files],
    calls: [
      ["list_allowed_directories", {}],
      ["list_directory", { path: files }],
      ["read_text_file", { path: join(files, "a.txt") }],
      ["read_text_file", { path: join(files, "a.txt"), head: 1 }],
      ["directory_tree", { path: files }],
      ["search_files", { path: files, pattern: "b" }],
      ["read_text_file", { path: "/etc/hostname" }],
    ],
  },
};

type Outcome = { result: unknown } | { error: { code: unknown; message: string } };

async function exercise(client: Client, prefix: string, calls: ServerCase["calls"], uriPrefix = ""): Promise<{ tools: unknown[]; outcomes: Outcome[] }> {
  const listed = (await client.listTools()).tools;
  const tools = listed
    .filter((tool) => tool.name.startsWith(prefix))
    .map((tool) => ({ ...tool, name: tool.name.slice(prefix.length) }));
  const outcomes: Outcome[] = [];
  for (const [name, args] of calls) {
    try {
      outcomes.push({ result: await client.callTool({ name: prefix + name, arguments: args }) });
    } catch (error) {
      const e = error as { code?: unknown; message: string };
      outcomes.push({ error: { code: e.code, message: e.message } });
    }
  }
  // server-everything stamps resources with the wall-clock time they were made;
  // URIs in results come mapped (`switchboard://{server}/{uri}`), which is undone here.
  const text = uriPrefix === "" ? JSON.stringify(outcomes) : JSON.stringify(outcomes).split(uriPrefix).join("");
  const stable = JSON.parse(text.replace(/\d{1,2}:\d{2}:\d{2} [AP]M/g, "<time>")) as Outcome[];
  return { tools, outcomes: stable };
}

const running: SwitchboardProcess[] = [];
afterAll(async () => {
  for (const sb of running) await sb.stop();
});

describe.each(Object.entries(CASES))("interop with %s", (server, spec) => {
  const serverConfig = () => ({ type: "stdio", command: process.execPath, args: spec.args(), env: spec.env?.() ?? {} });

  it("the same tools and the same results directly, through stdio and through HTTP", async () => {
    // Directly, declaring what the switchboard declares to a shared server
    // (server-everything lists some tools only to clients that sample or elicit).
    const direct = new Client({ name: "interop", version: "1" }, { capabilities: { sampling: {}, elicitation: { form: {}, url: {} } } });
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: spec.args(), env: { ...(process.env as Record<string, string>), ...(spec.env?.() ?? {}) }, stderr: "ignore" }));
    const expected = await exercise(direct, "", spec.calls);
    await direct.close();
    expect(expected.tools.length).toBeGreaterThan(0);

    // Through the stdio front.
    const viaStdio = new Client({ name: "interop", version: "1" });
    await viaStdio.connect(
      new StdioClientTransport({ command: process.execPath, args: [MAIN, writeConfig({ servers: { [server]: serverConfig() } }), "--stdio"], stderr: "ignore" }),
    );
    const stdioSeen = await exercise(viaStdio, `proxy.${server}.`, spec.calls, `switchboard://${server}/`);
    await viaStdio.close();

    // Through the HTTP front.
    const sb = await startHttpSwitchboard(writeConfig({ servers: { [server]: serverConfig() } }));
    running.push(sb);
    const viaHttp = new Client({ name: "interop", version: "1" });
    await viaHttp.connect(new StreamableHTTPClientTransport(new URL(sb.url)));
    const httpSeen = await exercise(viaHttp, `proxy.${server}.`, spec.calls, `switchboard://${server}/`);
    await viaHttp.close();

    expect(stdioSeen.tools).toEqual(expected.tools);
    expect(httpSeen.tools).toEqual(expected.tools);
    expect(stdioSeen.outcomes).toEqual(expected.outcomes);
    expect(httpSeen.outcomes).toEqual(expected.outcomes);
  }, 60_000);
});
