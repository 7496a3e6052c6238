import { spawn, type ChildProcess } from "node:child_process";
import { REAPER_SOURCE } from "./reaper-program.js";

/** Where the reaper is: not needed yet, running, or unavailable for the rest of this process. */
type ReaperState = "idle" | "running" | "unavailable";

let enabled = process.platform !== "win32";
let state: ReaperState = "idle";
let reaper: ChildProcess | undefined;
const groups = new Set<number>();

/**
 * Turn the process reaper on or off, process-wide (default on, except on
 * Windows, which has no process groups). Off, a switchboard killed with
 * SIGKILL leaves its backends to notice their stdin closing on their own.
 * Embedders that must not spawn a helper process turn it off before the
 * first backend starts; turning it off later closes a running reaper
 * without it killing anything.
 */
export function setReaperEnabled(on: boolean): void {
  enabled = on && process.platform !== "win32";
  if (enabled || !reaper) return;
  const stopping = reaper;
  reaper = undefined;
  state = "idle";
  // Forget every group first: its stdin closing must not kill live backends.
  stopping.stdin?.end([...groups].map((pgid) => `-${pgid}\n`).join(""));
  groups.clear();
}

/**
 * Ask the reaper to SIGKILL process group `pgid` if this process dies before
 * releasing it. Starts the reaper on first use; if it cannot start, `warn`
 * hears why once and the group is left to the ordinary stop ladder.
 */
export function registerGroup(pgid: number, warn: (message: string) => void): void {
  if (!enabled || pgid <= 1) return;
  groups.add(pgid);
  if (state === "idle") start(warn);
  else if (state === "running") tell(`+${pgid}`);
}

/** The group is gone or about to be: the reaper must never signal it. */
export function releaseGroup(pgid: number): void {
  if (!groups.delete(pgid)) return;
  if (state === "running") tell(`-${pgid}`);
}

/** The reaper's pid while it runs (for tests and diagnostics). */
export function reaperPid(): number | undefined {
  return state === "running" ? reaper?.pid : undefined;
}

function start(warn: (message: string) => void): void {
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: "1" };
  // Preloads and inspector flags meant for us must not run again in the reaper.
  delete env["NODE_OPTIONS"];
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ["-e", REAPER_SOURCE], {
      stdio: ["pipe", "ignore", "ignore"],
      shell: false,
      // Its own session: a terminal's Ctrl-C or hangup reaches us, not it.
      detached: true,
      env,
      windowsHide: true,
    });
  } catch (error) {
    unavailable(warn, `could not be started (${String(error)})`);
    return;
  }
  reaper = child;
  state = "running";
  child.unref();
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  child.stdin?.on("error", () => undefined);
  child.once("error", (error) => {
    if (reaper === child) unavailable(warn, `could not be started (${error.message})`);
  });
  child.once("exit", (code, signal) => {
    if (reaper === child) unavailable(warn, `exited unexpectedly (${signal ?? `code ${code}`})`);
  });
  for (const pgid of groups) tell(`+${pgid}`);
}

function tell(line: string): void {
  const child = reaper;
  if (!child?.stdin) return;
  child.stdin.write(`${line}\n`);
}

function unavailable(warn: (message: string) => void, what: string): void {
  reaper = undefined;
  state = "unavailable";
  warn(
    `the process reaper ${what}; backends will still be stopped on a normal exit, but not if the switchboard is killed with SIGKILL`,
  );
}
