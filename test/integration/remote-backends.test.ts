import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { startEverything, startFixture, type RemoteServer } from "../helpers/remote.js";
import { connectHttp } from "../helpers/sdk.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const servers: RemoteServer[] = [];
const boards: SwitchboardProcess[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(boards.splice(0).map((b) => b.stop()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function board(config: unknown, env: NodeJS.ProcessEnv = process.env): Promise<SwitchboardProcess> {
  const sb = await startHttpSwitchboard(writeConfig(config), [], env);
  boards.push(sb);
  return sb;
}

async function client(url: string): Promise<Client> {
  const made = await connectHttp(url);
  clients.push(made);
  return made;
}

const text = (result: unknown) => ((result as { content: Array<{ text: string }> }).content[0]!.text);

describe("remote backends through the switchboard (CLI, SDK client)", () => {
  it("server-everything over Streamable HTTP and over HTTP+SSE beside a stdio backend: tools, prompts, resources, progress, health", async () => {
    const [http, sse] = await Promise.all([startEverything("streamableHttp"), startEverything("sse")]);
    servers.push(http, sse);
    const sb = await board({
      proxy: { startupWait: 10_000 },
      servers: { web: { type: "http", url: http.url }, old: { type: "sse", url: sse.url }, local: { command: process.execPath, args: [fixture("echo-backend")] } },
    });
    const sdk = await client(sb.url);
    const names = (await sdk.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["proxy.web.echo", "proxy.old.echo", "proxy.local.echo"]));
    expect(text(await sdk.callTool({ name: "proxy.web.echo", arguments: { message: "via http" } }))).toContain("via http");
    expect(text(await sdk.callTool({ name: "proxy.old.echo", arguments: { message: "via sse" } }))).toContain("via sse");
    expect(text(await sdk.callTool({ name: "proxy.local.echo", arguments: { text: "via stdio" } }))).toBe("via stdio");
    const prompts = (await sdk.listPrompts()).prompts.map((p) => p.name);
    expect(prompts.some((p) => p.startsWith("proxy.web."))).toBe(true);
    const resources = (await sdk.listResources()).resources.filter((r) => r.uri.startsWith("switchboard://web/"));
    expect(resources.length).toBeGreaterThan(0);
    const read = await sdk.readResource({ uri: resources[0]!.uri });
    expect(read.contents[0]!.uri).toBe(resources[0]!.uri);
    const progress: number[] = [];
    await sdk.callTool({ name: "proxy.web.trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
    expect(progress).toEqual([1, 2, 3]);
    const health = (await (await fetch(sb.url.replace(/\/mcp$/, "/healthz"))).json()) as { backends: Record<string, Record<string, unknown>> };
    expect(health.backends["web"]).toMatchObject({ state: "ready", url: http.url, transport: "http", session: "active" });
    expect(health.backends["old"]).toMatchObject({ state: "ready", transport: "sse" });
  });

  it("a switchboard behind a switchboard with a bearer token from ${VAR}; the token appears in no health report or log", async () => {
    const local = { command: process.execPath, args: [fixture("echo-backend")] };
    const inner = await board({ server: { authToken: "inner-s3cret" }, servers: { local } });
    const outer = await board({ proxy: { startupWait: 10_000 }, servers: { inner: { url: inner.url, headers: { Authorization: "Bearer ${INNER_TOKEN}" } } } }, { ...process.env, INNER_TOKEN: "inner-s3cret" });
    const sdk = await client(outer.url);
    const names = (await sdk.listTools()).tools.map((t) => t.name);
    expect(names).toContain("proxy.inner.proxy.local.echo");
    expect(text(await sdk.callTool({ name: "proxy.inner.proxy.local.echo", arguments: { text: "two hops" } }))).toBe("two hops");
    const health = await (await fetch(outer.url.replace(/\/mcp$/, "/healthz"))).text();
    expect(health).toContain('"transport":"http"');
    expect(health + outer.stderr.join("\n")).not.toContain("inner-s3cret");
  });

  it("a wrong token: the remote is failed with its status named, the switchboard keeps serving the others", async () => {
    const faults = await startFixture("remote-faults-backend", ["--token", "right"]);
    servers.push(faults);
    const outer = await board({ servers: { api: { type: "http", url: faults.url, headers: { Authorization: "Bearer wrong" } }, local: { command: process.execPath, args: [fixture("echo-backend")] } } });
    await outer.waitForLog(/backend "api" refused our credentials: HTTP 401 .*will not be retried/);
    const sdk = await client(outer.url);
    expect(text(await sdk.callTool({ name: "proxy.local.echo", arguments: { text: "still here" } }))).toBe("still here");
    const health = (await (await fetch(outer.url.replace(/\/mcp$/, "/healthz"))).json()) as { backends: Record<string, Record<string, unknown>> };
    expect(health.backends["api"]).toMatchObject({ state: "failed", lastError: expect.stringMatching(/HTTP 401/) });
  });
});
