import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { nodeModule } from "../helpers/paths.js";
import { waitFor } from "../helpers/procfs.js";
import { connectHttp } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

/**
 * Roots are a security boundary: server-filesystem confines itself to the
 * roots it is given. A session's process gets its own client's roots only;
 * a shared process gets the config's roots, never a client's.
 */

const FILESYSTEM = nodeModule("@modelcontextprotocol/server-filesystem/dist/index.js");
const LIST = "proxy.fs.list_allowed_directories";

const running: Array<{ stop(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of running.splice(0)) await item.stop().catch(() => undefined);
});

function dirs(...names: string[]): Record<string, string> {
  const base = mkdtempSync(join(tmpdir(), "sb-roots-"));
  const out: Record<string, string> = {};
  for (const name of names) mkdirSync((out[name] = join(base, name)));
  return out;
}

/** A client whose roots are `current()` (read at each roots/list); counts the asks. */
async function rootsClient(sb: SwitchboardProcess, name: string, current: () => string[]): Promise<Client & { asked: number }> {
  const asked = { count: 0 };
  const client = await connectHttp(sb.url, name, {
    capabilities: { roots: { listChanged: true } },
    setup: (c) =>
      c.setRequestHandler(ListRootsRequestSchema, async () => {
        asked.count++;
        return { roots: current().map((dir) => ({ uri: pathToFileURL(dir).href, name })) };
      }),
  });
  running.push({ stop: () => client.close() });
  return Object.defineProperty(client, "asked", { get: () => asked.count }) as Client & { asked: number };
}

async function allowed(client: Client): Promise<string> {
  return JSON.stringify(await client.callTool({ name: LIST, arguments: {} }));
}

describe("roots through the switchboard (server-filesystem)", () => {
  it('isolation "session": each client\'s process is confined to that client\'s roots, follows its roots/list_changed, and never sees another client\'s', async () => {
    const d = dirs("args", "rootA", "rootA2", "rootB");
    const sb = await startHttpSwitchboard(
      writeConfig({ servers: { fs: { command: process.execPath, args: [FILESYSTEM, d["args"]], isolation: "session" } } }),
    );
    running.push(sb);
    let rootsA = [d["rootA"]!];
    const a = await rootsClient(sb, "A", () => rootsA);
    const b = await rootsClient(sb, "B", () => [d["rootB"]!]);
    const seenA: string[] = [];
    const seenB: string[] = [];
    // The process asks for roots right after its handshake; its answer lands asynchronously.
    await waitFor(async () => (seenA.push(await allowed(a)), seenA.at(-1)!.includes(d["rootA"]!)), 10_000, "A's process to take its roots");
    await waitFor(async () => (seenB.push(await allowed(b)), seenB.at(-1)!.includes(d["rootB"]!)), 10_000, "B's process to take its roots");
    rootsA = [d["rootA2"]!];
    await a.sendRootsListChanged();
    await waitFor(async () => (seenA.push(await allowed(a)), seenA.at(-1)!.includes(d["rootA2"]!)), 10_000, "A's process to follow its new roots");
    expect(seenA.join("\n")).not.toContain(d["rootB"]);
    expect(seenB.join("\n")).not.toContain(d["rootA"]);
    expect(seenB.join("\n")).not.toContain(d["rootA2"]);
    expect(b.asked).toBe(1);
  }, 30_000);

  it("a shared process gets the config's roots only: the client's roots handler is never asked", async () => {
    const d = dirs("args", "configured", "rootA");
    const sb = await startHttpSwitchboard(
      writeConfig({ servers: { fs: { command: process.execPath, args: [FILESYSTEM, d["args"]], roots: [pathToFileURL(d["configured"]!).href] } } }),
    );
    running.push(sb);
    const a = await rootsClient(sb, "A", () => [d["rootA"]!]);
    const seen: string[] = [];
    await waitFor(async () => (seen.push(await allowed(a)), seen.at(-1)!.includes(d["configured"]!)), 10_000, "the shared process to take the config roots");
    expect(seen.join("\n")).not.toContain(d["rootA"]);
    await a.sendRootsListChanged();
    expect(await allowed(a)).not.toContain(d["rootA"]);
    expect(a.asked).toBe(0);
  }, 30_000);

  it("a shared process without config roots is declared no roots: it keeps its own directories and no client is asked", async () => {
    const d = dirs("args", "rootA");
    const sb = await startHttpSwitchboard(writeConfig({ servers: { fs: { command: process.execPath, args: [FILESYSTEM, d["args"]] } } }));
    running.push(sb);
    const a = await rootsClient(sb, "A", () => [d["rootA"]!]);
    const text = await allowed(a);
    expect(text).toContain(d["args"]);
    expect(text).not.toContain(d["rootA"]);
    expect(a.asked).toBe(0);
  }, 30_000);
});
