import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.js";
import { alive, waitFor } from "../helpers/procfs.js";

const procs: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const proc of procs.splice(0)) proc.kill("SIGKILL");
});

/** The listener-faults program on stdio, spoken to in raw JSON lines. */
function start() {
  const proc = spawn(process.execPath, [join(ROOT, "test/programs/listener-faults.mjs")], { stdio: ["pipe", "pipe", "pipe"] });
  procs.push(proc);
  type Answer = { id?: number; result?: { content: Array<{ text: string }> }; error?: { message: string } };
  const answers = new Map<number, Answer>();
  let stderr = "";
  let partial = "";
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (chunk: string) => (stderr += chunk));
  proc.stdout.setEncoding("utf8");
  proc.stdout.on("data", (chunk: string) => {
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf("\n")) !== -1) {
      const message = JSON.parse(partial.slice(0, newline)) as Answer;
      partial = partial.slice(newline + 1);
      if (typeof message.id === "number") answers.set(message.id, message);
    }
  });
  const send = (message: unknown): void => void proc.stdin.write(JSON.stringify(message) + "\n");
  const call = async (id: number, name: string) => {
    send({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {} } });
    await waitFor(() => answers.has(id) || !alive(proc.pid!), 10_000, `answer ${id}`);
    return answers.get(id);
  };
  send({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
  send({ jsonrpc: "2.0", method: "notifications/initialized" });
  return { proc, send, call, stderr: () => stderr };
}

describe("listeners are isolated", () => {
  it("a local tool's abort listeners that throw on cancel are logged; the gateway keeps serving", async () => {
    const { proc, send, call, stderr } = start();
    send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "wait_for_cancel", arguments: {} } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1, reason: "changed my mind" } });
    await waitFor(() => /abort listener broke/.test(stderr()) && /onabort broke/.test(stderr()) && /async abort listener broke/.test(stderr()), 5000, "the errors logged");
    expect(alive(proc.pid!)).toBe(true);
    const next = await call(2, "subscriber_calls");
    expect(next?.result?.content[0]?.text).toMatch(/^\d+$/);
    expect(alive(proc.pid!)).toBe(true);
  });

  it("a change subscriber that throws is logged and does not stop the others", async () => {
    const { proc, call, stderr } = start();
    const before = Number((await call(1, "subscriber_calls"))?.result?.content[0]?.text);
    expect((await call(2, "add_tool"))?.result?.content[0]?.text).toBe("added");
    await waitFor(async () => Number((await call(Date.now(), "subscriber_calls"))?.result?.content[0]?.text) > before, 5000, "the other subscriber told");
    expect(stderr()).toMatch(/subscriber broke/);
    expect(alive(proc.pid!)).toBe(true);
  });
});
