import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exited, signalGroup, spawnChild, stopChild } from "../../src/backend/child-process.js";
import { fixture } from "../helpers/paths.js";
import { alive, waitFor } from "../helpers/procfs.js";

const children: ChildProcessWithoutNullStreams[] = [];
const strays: number[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

function spawnNode(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawnChild({ command: process.execPath, args, env }, { onWarning: (m) => expect.fail(m) });
  children.push(child);
  return child;
}

/** Signals sent to any negative pid (a process group) while `spy` watched. */
function groupSignals(spy: { mock: { calls: unknown[][] } }, pgid: number): unknown[][] {
  return spy.mock.calls.filter(([pid]) => pid === -pgid);
}

async function grandchildOf(child: ChildProcessWithoutNullStreams, pidFile: string): Promise<number> {
  await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 5000, "grandchild pid file");
  const pid = Number(readFileSync(pidFile, "utf8"));
  strays.push(pid);
  expect(alive(pid)).toBe(true);
  expect(child.pid).toBeGreaterThan(1);
  return pid;
}

function pidFile(): string {
  return join(mkdtempSync(join(tmpdir(), "switchboard-child-")), "pid");
}

describe("process groups", () => {
  it("kills the group once, at once, when the leader exits", async () => {
    const child = spawnNode(["-e", "setTimeout(() => process.exit(3), 100)"]);
    const pgid = child.pid!;
    const kill = vi.spyOn(process, "kill");
    await expect(exited(child)).resolves.toEqual({ code: 3, signal: null });
    expect(groupSignals(kill, pgid)).toEqual([[-pgid, "SIGKILL"]]);
  });

  it("never signals the group of a child that has exited", async () => {
    const child = spawnNode(["-e", "process.exit(3)"]);
    await exited(child);
    const kill = vi.spyOn(process, "kill");
    // The group id may belong to someone else by now.
    signalGroup(child, "SIGTERM");
    await expect(stopChild(child, { stdinGraceMs: 10, termGraceMs: 10 })).resolves.toEqual({ code: 3, signal: null });
    expect(kill).not.toHaveBeenCalled();
  });

  it("kills a grandchild when its backend crashes", async () => {
    const file = pidFile();
    const child = spawnNode([fixture("grandchild-backend")], { GRANDCHILD_PID_FILE: file });
    const grandchild = await grandchildOf(child, file);
    process.kill(child.pid!, "SIGKILL"); // the leader alone: a crash
    await exited(child);
    await waitFor(() => !alive(grandchild), 3000, "the grandchild to die with its backend");
  });

  it("kills a grandchild when its backend exits on its own", async () => {
    const file = pidFile();
    const child = spawnNode([fixture("grandchild-backend")], { GRANDCHILD_PID_FILE: file });
    const grandchild = await grandchildOf(child, file);
    child.stdin.end(); // the fixture exits when its stdin ends
    await expect(exited(child)).resolves.toEqual({ code: 0, signal: null });
    await waitFor(() => !alive(grandchild), 3000, "the grandchild to die with its backend");
  });

  it("still signals the group of a running child through the stop ladder", async () => {
    const file = pidFile();
    const child = spawnNode([fixture("ignores-sigterm-backend")], { PID_FILE: file });
    const pgid = child.pid!;
    await waitFor(() => existsSync(file), 5000, "the backend to ignore SIGTERM");
    const kill = vi.spyOn(process, "kill");
    await expect(stopChild(child, { stdinGraceMs: 50, termGraceMs: 50 })).resolves.toEqual({ code: null, signal: "SIGKILL" });
    expect(groupSignals(kill, pgid).map(([, signal]) => signal).slice(0, 2)).toEqual(["SIGTERM", "SIGKILL"]);
  });
});
