import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fixture } from "../helpers/paths.js";
import { alive, descendants, waitFor } from "../helpers/procfs.js";
import { startHttpSwitchboard, writeConfig } from "../helpers/switchboard-process.js";

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone, as it should be.
    }
  }
});

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

describe("no backend outlives a SIGKILLed switchboard", () => {
  it("kills a backend that ignores stdin close and SIGTERM, and the reaper goes too", async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), "switchboard-reaper-")), "pid");
    const config = writeConfig({
      servers: { stubborn: { type: "stdio", command: process.execPath, args: [fixture("ignores-sigterm-backend")], env: { PID_FILE: pidFile } } },
    });
    const sb = await startHttpSwitchboard(config);
    leftovers.push(sb.proc.pid!);
    await sb.waitForLog(/backend "stubborn" ready/);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 5000, "backend pid file");
    const backend = Number(readFileSync(pidFile, "utf8"));
    leftovers.push(backend);
    const family = descendants(sb.proc.pid!).map((proc) => proc.pid);
    expect(family).toContain(backend);
    const reapers = family.filter((pid) => cmdline(pid).includes("mcp-switchboard-reaper"));
    leftovers.push(...reapers);

    sb.proc.kill("SIGKILL");
    await sb.exited;
    await waitFor(() => !alive(backend), 3000, "the backend to be killed after the switchboard was");
    expect(reapers).toHaveLength(1);
    await waitFor(() => !alive(reapers[0]!), 3000, "the reaper to exit");
  });
});
