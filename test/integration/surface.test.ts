import { afterAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { fixture, nodeModule } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";
import { connectHttp, connectStdio } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/**
 * The whole legacy surface through both fronts, against two server-everything
 * instances (`alpha`, `beta`) and a prompts-only fixture, with the official
 * SDK client; what it sees must equal what it sees directly, modulo the
 * documented renaming (`proxy.alpha.` names, `switchboard://alpha/` URIs).
 */

const EVERYTHING = nodeModule("@modelcontextprotocol/server-everything/dist/index.js");
const everything = () => ({ type: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"] });
const CONFIG = () =>
  writeConfig({
    servers: {
      alpha: everything(),
      beta: everything(),
      words: { type: "stdio", command: process.execPath, args: [fixture("prompts-backend")] },
    },
  });

const A = "switchboard://alpha/";
/** Undo the URI mapping of alpha, and blank out the wall-clock times server-everything stamps on dynamic resources. */
const unmap = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value).split(A).join("").replace(/\d{1,2}:\d{2}:\d{2}\s?[AP]M/g, "<time>")) as unknown;
const stable = (value: unknown): unknown => unmap(value);

type Page = { nextCursor?: string } & Record<string, unknown>;
async function listAll(page: (cursor?: string) => Promise<Page>, key: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let cursor: string | undefined;
  do {
    const result = await page(cursor);
    out.push(...(result[key] as Array<Record<string, unknown>>));
    cursor = result.nextCursor;
  } while (cursor !== undefined);
  return out;
}

interface Seen {
  prompts: unknown[];
  args: unknown;
  resources: unknown[];
  reads: unknown[];
  templates: unknown[];
  expansion: unknown;
  completion: unknown;
  templateCompletion: unknown;
}

/** What a client sees of alpha's surface, under `prefix` (names) and with `uri(original)` for URIs. */
async function surface(client: Client, prefix: string, uri: (original: string) => string): Promise<Seen> {
  const prompts = (await listAll((cursor) => client.listPrompts({ cursor }), "prompts")).filter((p) => String(p["name"]).startsWith(prefix));
  const args = await client.getPrompt({ name: `${prefix}args-prompt`, arguments: { city: "Lyon", state: "Rhône" } });
  const resources = (await listAll((cursor) => client.listResources({ cursor }), "resources")).filter((r) => String(r["uri"]).startsWith(uri("")));
  const reads: unknown[] = [];
  for (const resource of resources) reads.push(await client.readResource({ uri: String(resource["uri"]) }));
  const templates = (await listAll((cursor) => client.listResourceTemplates({ cursor }), "resourceTemplates")).filter((t) =>
    String(t["uriTemplate"]).startsWith(uri("")),
  );
  const textTemplate = templates.find((t) => String(t["uriTemplate"]).includes("/text/"));
  expect(textTemplate).toBeDefined();
  const expansion = await client.readResource({ uri: String(textTemplate!["uriTemplate"]).replace("{resourceId}", "3") });
  const completion = await client.complete({ ref: { type: "ref/prompt", name: `${prefix}completable-prompt` }, argument: { name: "department", value: "S" } });
  const templateCompletion = await client.complete({
    ref: { type: "ref/resource", uri: String(textTemplate!["uriTemplate"]) },
    argument: { name: "resourceId", value: "7" },
  });
  return {
    prompts: prompts.map((p) => ({ ...p, name: String(p["name"]).slice(prefix.length) })),
    args,
    resources,
    reads,
    templates,
    expansion,
    completion,
    templateCompletion,
  };
}

/** Everything beyond equality: links read back, logs, progress, subscriptions, a prompt list change, a prompts-only server. */
async function behaviours(client: Client): Promise<void> {
  // Every resource link a tool hands out reads back, under the backend's own URI.
  const links = await client.callTool({ name: "proxy.alpha.get-resource-links", arguments: { count: 3 } });
  const linked = (links.content as Array<{ type: string; uri?: string }>).filter((block) => block.type === "resource_link");
  expect(linked.length).toBe(3);
  for (const link of linked) {
    expect(link.uri!.startsWith(A)).toBe(true);
    const read = await client.readResource({ uri: link.uri! });
    expect(read.contents[0]!.uri).toBe(link.uri);
  }
  // An embedded resource inside a prompt reads back too.
  const prompt = await client.getPrompt({ name: "proxy.beta.resource-prompt", arguments: { resourceType: "Text", resourceId: "4" } });
  const embedded = prompt.messages.map((m) => m.content).find((c) => c.type === "resource") as { resource: { uri: string } } | undefined;
  expect(embedded?.resource.uri).toBe("switchboard://beta/demo://resource/dynamic/text/4");
  expect((await client.readResource({ uri: embedded!.resource.uri })).contents[0]!.uri).toBe(embedded!.resource.uri);

  // Logging: the client's level, the server's name in `logger`.
  const logs: Array<{ level: string; logger?: string }> = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
  await client.setLoggingLevel("debug");
  await client.callTool({ name: "proxy.alpha.toggle-simulated-logging", arguments: {} });
  await waitFor(() => logs.some((log) => log.logger === "alpha" || log.logger?.startsWith("alpha/") === true), 8000, "a log message from alpha");
  await client.callTool({ name: "proxy.alpha.toggle-simulated-logging", arguments: {} });

  // Progress with the client's own token (server-everything may send its last report after its result, even directly).
  const progress: number[] = [];
  await client.callTool({ name: "proxy.beta.trigger-long-running-operation", arguments: { duration: 0.4, steps: 4 } }, undefined, {
    onprogress: (p) => void progress.push(p.progress),
  });
  expect(progress.length).toBeGreaterThanOrEqual(3);
  expect(progress).toEqual([1, 2, 3, 4].slice(0, progress.length));

  // Subscriptions: updates come with the URI the client subscribed to.
  const updated: string[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
  const watched = `${A}demo://resource/static/document/architecture.md`;
  await client.subscribeResource({ uri: watched });
  await client.callTool({ name: "proxy.alpha.toggle-subscriber-updates", arguments: {} });
  await waitFor(() => updated.includes(watched), 8000, "a resource update for the subscribed URI");
  await client.callTool({ name: "proxy.alpha.toggle-subscriber-updates", arguments: {} });
  await client.unsubscribeResource({ uri: watched });

  // A prompts-only server: listed, and its list change reaches the client.
  let changes = 0;
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => void changes++);
  expect((await client.getPrompt({ name: "proxy.words.greet", arguments: { name: "Ada" } })).messages[0]!.content).toEqual({ type: "text", text: "Hello, Ada!" });
  await client.getPrompt({ name: "proxy.words.grow" });
  await waitFor(() => changes > 0, 5000, "prompts/list_changed");
  await waitFor(async () => (await client.listPrompts()).prompts.some((p) => p.name.startsWith("proxy.words.grown-")), 5000, "the grown prompt listed");
}

const running: Array<{ stop(): Promise<unknown> }> = [];
afterAll(async () => {
  for (const item of running.splice(0)) await item.stop().catch(() => undefined);
});

describe("the MCP surface through the switchboard", () => {
  it("prompts, resources, templates, completions, logging, progress, subscriptions and list changes over stdio and HTTP", async () => {
    const direct = new Client({ name: "direct", version: "1" });
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, "stdio"], stderr: "ignore" }));
    running.push({ stop: () => direct.close() });
    const expected = stable(await surface(direct, "", (original) => original));

    const config = CONFIG();
    const { client: viaStdio } = await connectStdio(config);
    running.push({ stop: () => viaStdio.close() });
    const sb: SwitchboardProcess = await startHttpSwitchboard(config);
    running.push(sb);
    const viaHttp = await connectHttp(sb.url);
    running.push({ stop: () => viaHttp.close() });

    for (const client of [viaStdio, viaHttp]) {
      const seen = await surface(client, "proxy.alpha.", (original) => A + original);
      expect((seen.resources as unknown[]).length).toBeGreaterThan(0);
      expect(stable(seen)).toEqual(expected);
      await behaviours(client);
    }
  }, 60_000);
});
