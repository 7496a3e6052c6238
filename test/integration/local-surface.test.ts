import { afterEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { PromptListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { Switchboard } from "../../src/switchboard.js";
import { silentLogger } from "../../src/log/logger.js";
import { fixture } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";

/**
 * The embedding API serves the whole surface (local tools, prompts,
 * resources, templates), and every aggregated list is paged with cursors of
 * ours: small pages followed to the end, a forged cursor refused with -32602.
 */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function serve(board: Switchboard): Promise<Client> {
  cleanups.push(() => board.close());
  const front = await board.run({ transport: "http", port: 0 });
  const client = new Client({ name: "local-surface", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(front.url!)));
  cleanups.push(() => client.close());
  return client;
}

describe("local prompts, resources and templates", () => {
  it("are listed, read and got beside the backends' entries, and advertised", async () => {
    const board = new Switchboard({ servers: {} }, { logger: silentLogger })
      .prompt({ name: "haiku", description: "A haiku", arguments: [{ name: "topic", required: true }] }, (args) => `Write a haiku about ${args["topic"]}`)
      .resource({ uri: "memo://today", name: "today", mimeType: "text/plain" }, () => "all quiet")
      .resourceTemplate({ uriTemplate: "memo://notes/{id}", name: "note" }, (uri) => ({ contents: [{ uri, text: `note at ${uri}` }] }));
    const client = await serve(board);

    expect(client.getServerCapabilities()).toMatchObject({ prompts: { listChanged: true }, resources: { listChanged: true }, logging: {} });
    expect((await client.listPrompts()).prompts).toEqual([{ name: "haiku", description: "A haiku", arguments: [{ name: "topic", required: true }] }]);
    expect(await client.getPrompt({ name: "haiku", arguments: { topic: "tides" } })).toEqual({
      messages: [{ role: "user", content: { type: "text", text: "Write a haiku about tides" } }],
    });
    expect((await client.listResources()).resources).toEqual([{ uri: "memo://today", name: "today", mimeType: "text/plain" }]);
    expect(await client.readResource({ uri: "memo://today" })).toEqual({ contents: [{ uri: "memo://today", mimeType: "text/plain", text: "all quiet" }] });
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([{ uriTemplate: "memo://notes/{id}", name: "note" }]);
    expect(await client.readResource({ uri: "memo://notes/42" })).toEqual({ contents: [{ uri: "memo://notes/42", text: "note at memo://notes/42" }] });
    await expect(client.readResource({ uri: "memo://elsewhere" })).rejects.toMatchObject({ code: -32002 });
    await expect(client.getPrompt({ name: "nope" })).rejects.toMatchObject({ code: -32602 });
    expect(await client.complete({ ref: { type: "ref/prompt", name: "haiku" }, argument: { name: "topic", value: "t" } })).toMatchObject({
      completion: { values: [] },
    });
  });

  it("refuses a local entry whose URI reads as a switchboard URI", () => {
    const board = new Switchboard({ servers: {} }, { logger: silentLogger });
    cleanups.push(() => board.close());
    expect(() => board.resource({ uri: "switchboard://x/y", name: "y" }, () => "")).toThrow(/form of a switchboard URI/);
  });
});

describe("pagination of aggregated lists", () => {
  it("pages tools and prompts by proxy.pageSize, and refuses a forged or foreign cursor with -32602", async () => {
    const board = new Switchboard(
      { proxy: { pageSize: 10 }, servers: { many: { type: "stdio", command: process.execPath, args: [fixture("many-tools-backend"), "--count", "23", "--page-size", "7"] } } },
      { logger: silentLogger },
    );
    for (let i = 0; i < 12; i++) board.prompt({ name: `p${String(i).padStart(2, "0")}` }, () => "x");
    const client = await serve(board);

    const tools: string[] = [];
    let pages = 0;
    let cursor: string | undefined;
    let firstCursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      pages++;
      expect(page.tools.length).toBeLessThanOrEqual(10);
      tools.push(...page.tools.map((tool) => tool.name));
      cursor = page.nextCursor;
      firstCursor ??= cursor;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(tools).toEqual(Array.from({ length: 23 }, (_, i) => `proxy.many.tool_${String(i).padStart(4, "0")}`));

    const prompts = await client.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).toEqual(["p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09"]);
    expect((await client.listPrompts({ cursor: prompts.nextCursor! })).prompts.map((p) => p.name)).toEqual(["p10", "p11"]);

    await expect(client.listTools({ cursor: "forged.cursor" })).rejects.toMatchObject({ code: -32602 });
    await expect(client.listTools({ cursor: firstCursor!.slice(0, -2) + "xx" })).rejects.toMatchObject({ code: -32602 });
    await expect(client.listPrompts({ cursor: firstCursor! })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/belongs to the tools list/) });
  });
});

describe("change notifications", () => {
  it("a backend going down and coming back tells the client its prompts changed, twice", async () => {
    const board = new Switchboard(
      {
        servers: {
          words: {
            type: "stdio",
            command: process.execPath,
            args: [fixture("prompts-backend")],
            restart: { maxAttempts: 3, initialDelay: 100, maxDelay: 200 },
          },
        },
      },
      { logger: silentLogger, stopLadder: { stdinGraceMs: 100, termGraceMs: 300 } },
    );
    await board.start();
    const client = await serve(board);
    expect(client.getServerCapabilities()?.prompts).toEqual({ listChanged: true });
    const seen: string[][] = [];
    client.setNotificationHandler(PromptListChangedNotificationSchema, async () => {
      seen.push((await client.listPrompts()).prompts.map((p) => p.name));
    });
    await expect(client.getPrompt({ name: "proxy.words.crash" })).rejects.toMatchObject({ code: -32000 });
    await waitFor(() => seen.some((names) => names.length === 0), 5000, "the prompts gone");
    await waitFor(() => seen.at(-1)?.includes("proxy.words.greet") === true, 5000, "the prompts back after the restart");
  });
});
