import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { REAPER_SOURCE } from "../../src/runtime/reaper-program.js";
import { ROOT } from "../helpers/paths.js";
import { alive, processes, waitFor } from "../helpers/procfs.js";

const spawned: ChildProcess[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const child of spawned.splice(0)) child.kill("SIGKILL");
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

/** A sleeping process leading a group of its own. */
function sleeper(): number {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore" });
  child.unref();
  pids.push(child.pid!);
  return child.pid!;
}

function runProgram(): ChildProcess {
  const child = spawn(process.execPath, ["-e", REAPER_SOURCE], { stdio: ["pipe", "ignore", "ignore"] });
  spawned.push(child);
  return child;
}

/** The reaper module with fresh process-wide state. */
async function freshReaper(): Promise<typeof import("../../src/runtime/reaper.js")> {
  vi.resetModules();
  return import("../../src/runtime/reaper.js");
}

describe("the reaper program", () => {
  it("kills every registered group when its stdin closes, then exits", async () => {
    const [first, second] = [sleeper(), sleeper()];
    const reaper = runProgram();
    const exited = new Promise((resolve) => reaper.once("exit", (code) => resolve(code)));
    // Split across writes, as a pipe may deliver it.
    const lines = `+${first}\n+${second}\n`;
    reaper.stdin!.write(lines.slice(0, 4));
    await new Promise((resolve) => setTimeout(resolve, 20));
    reaper.stdin!.end(lines.slice(4));
    await expect(exited).resolves.toBe(0);
    await waitFor(() => !alive(first) && !alive(second), 3000, "both groups killed");
  });

  it("spares a group that was released, and ignores malformed lines", async () => {
    const [kept, killed] = [sleeper(), sleeper()];
    const reaper = runProgram();
    const exited = new Promise((resolve) => reaper.once("exit", resolve));
    reaper.stdin!.end(`+${kept}\n+${killed}\n-${kept}\nhello\n+\n+-${kept}\n+${kept}x\n`);
    await exited;
    await waitFor(() => !alive(killed), 3000, "the registered group killed");
    expect(alive(kept)).toBe(true);
  });
});

describe("the reaper module", () => {
  it("does not keep its process alive, and kills what that process left registered", async () => {
    const [group, released] = [sleeper(), sleeper()];
    const module = pathToFileURL(join(ROOT, "dist/runtime/reaper.js")).href;
    const script = `import { registerGroup, releaseGroup, reaperPid } from ${JSON.stringify(module)};
      registerGroup(${group}, (m) => console.error(m));
      registerGroup(${released}, (m) => console.error(m));
      releaseGroup(${released});
      console.log(reaperPid());`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 10_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    const reaper = Number(run.stdout.trim());
    expect(reaper).toBeGreaterThan(1);
    pids.push(reaper);
    await waitFor(() => !alive(group) && !alive(reaper), 3000, "the group and the reaper gone");
    expect(alive(released)).toBe(true);
  });

  it("runs the reaper in a group of its own; turned off while running, it kills nothing; off, it starts nothing", async () => {
    const reaper = await freshReaper();
    const group = sleeper();
    reaper.registerGroup(group, (m) => expect.fail(m));
    const pid = reaper.reaperPid()!;
    pids.push(pid);
    expect(processes().find((p) => p.pid === pid)?.pgrp).toBe(pid);
    reaper.setReaperEnabled(false);
    await waitFor(() => !alive(pid), 3000, "the reaper to exit once turned off");
    expect(alive(group)).toBe(true);
    reaper.registerGroup(sleeper(), (m) => expect.fail(m));
    expect(reaper.reaperPid()).toBeUndefined();
  });

  it("warns once and carries on when the reaper cannot be started", async () => {
    const reaper = await freshReaper();
    const execPath = process.execPath;
    const warnings: string[] = [];
    const [first, second] = [sleeper(), sleeper()];
    Object.defineProperty(process, "execPath", { value: "/nonexistent/node", configurable: true, writable: true });
    try {
      reaper.registerGroup(first, (m) => warnings.push(m));
      reaper.registerGroup(second, (m) => warnings.push(m));
    } finally {
      process.execPath = execPath;
    }
    await waitFor(() => warnings.length > 0, 3000, "a warning");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/process reaper could not be started \(.*ENOENT.*\); backends will still be stopped on a normal exit, but not if the switchboard is killed with SIGKILL/);
    expect(reaper.reaperPid()).toBeUndefined();
  });
});
