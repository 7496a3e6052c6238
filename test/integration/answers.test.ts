import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, MAIN } from "../helpers/paths.js";
import { jsonHeaders, openSession, rawRequest } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const server = (name: string, extra: Record<string, unknown> = {}) => ({ type: "stdio", command: process.execPath, args: [fixture(name)], ...extra });

async function started(config: unknown): Promise<SwitchboardProcess> {
  const sb = await startHttpSwitchboard(writeConfig(config));
  cleanups.push(() => sb.stop());
  return sb;
}

async function post(sb: SwitchboardProcess, session: string, body: unknown) {
  const res = await rawRequest(sb.url, {
    method: "POST",
    headers: jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" }),
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: JSON.parse(res.body) as { id?: unknown; result?: { content: Array<{ text: string }> }; error?: { code: number; message: string; data?: unknown } } };
}

const toolCall = (id: number, name: string, args: unknown = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

describe("every request is answered, with the right story", () => {
  it("a malformed answer from a backend fails that call at once, naming the server and what was wrong", async () => {
    // A 20 s timeout: the old code made each of these calls wait for it.
    const sb = await started({ servers: { bad: server("bad-answers-backend", { timeout: 20_000 }) } });
    const session = await openSession(sb.url);
    for (const [tool, detail] of [
      ["both", /exactly one of "result" and "error"/],
      ["not_object", /"result" must be an object/],
    ] as const) {
      const started = Date.now();
      const answer = await post(sb, session, toolCall(1, `proxy.bad.${tool}`));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(answer.body.error?.message).toMatch(/backend "bad" answered tools\/call with an invalid response/);
      expect(answer.body.error?.message).toMatch(detail);
      expect(answer.body.error?.message).not.toMatch(/did not answer|restart/);
    }
    // The backend itself is fine and keeps serving.
    expect((await post(sb, session, toolCall(2, "proxy.bad.echo", { text: "still here" }))).body.result?.content[0]?.text).toBe("still here");
  });

  it("an error with id null matches no call: the log says so plainly", async () => {
    const sb = await started({ servers: { bad: server("bad-answers-backend", { timeout: 1_500 }) } });
    const session = await openSession(sb.url);
    const answer = await post(sb, session, toolCall(1, "proxy.bad.null_id"));
    expect(answer.body.error?.message).toMatch(/did not answer tools\/call within 1500 ms/);
    await sb.waitForLog(/backend "bad" sent an error response with id null \(-32600 I lost your id\).*no call can be matched/);
  });

  it("100k-deep arguments are refused as the client's mistake, and the backend is not blamed", async () => {
    const sb = await started({ servers: { echo: server("echo-backend") } });
    const session = await openSession(sb.url);
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"proxy.echo.echo","arguments":{"x":${deep}}}}`;
    const answer = await post(sb, session, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe(-32600);
    expect(answer.body.error?.message).toMatch(/nest arrays and objects deeper than \d+ levels/);
    expect((await post(sb, session, toolCall(2, "proxy.echo.echo", { text: "fine" }))).body.result?.content[0]?.text).toBe("fine");
    expect(sb.stderr.join("\n")).not.toMatch(/closed its output|restarting/);
  });

  it("over stdio, 100k-deep arguments get -32600 with the request's id; the next call works", async () => {
    const proc = spawn(process.execPath, [MAIN, writeConfig({ servers: { echo: server("echo-backend") } }), "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(async () => proc.kill("SIGKILL"));
    const lines: Array<{ id?: unknown; result?: { content: Array<{ text: string }> }; error?: { code: number; message: string } }> = [];
    let partial = "";
    proc.stdout.setEncoding("utf8");
    proc.stdout.on("data", (chunk: string) => {
      partial += chunk;
      let newline: number;
      while ((newline = partial.indexOf("\n")) !== -1) {
        lines.push(JSON.parse(partial.slice(0, newline)));
        partial = partial.slice(newline + 1);
      }
    });
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    proc.stdin.write(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n`);
    proc.stdin.write(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"proxy.echo.echo","arguments":{"x":${deep}}}}\n`);
    const deadline = Date.now() + 20_000;
    while (!lines.some((l) => l.id === 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(lines.find((l) => l.id === 1)?.error).toMatchObject({ code: -32600, message: expect.stringMatching(/deeper than/) });
    // The backend may still be starting: retry the normal call until its tools are there.
    let text: string | undefined;
    for (let id = 2; id < 60 && text === undefined; id++) {
      proc.stdin.write(JSON.stringify(toolCall(id, "proxy.echo.echo", { text: "fine" })) + "\n");
      const until = Date.now() + 2_000;
      while (!lines.some((l) => l.id === id) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      text = lines.find((l) => l.id === id)?.result?.content[0]?.text;
      if (text === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toBe("fine");
  });
});
