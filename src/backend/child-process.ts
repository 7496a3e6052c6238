import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { registerGroup, releaseGroup } from "../runtime/reaper.js";

/** How to start a child. */
export interface ChildSpec {
  command: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
}

/** What the spawner hears besides the child itself. */
export interface SpawnOptions {
  /** Told once if the process reaper cannot run (default: `process.emitWarning`). */
  onWarning?: (message: string) => void;
}

/** How the child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Delays of the stop ladder. */
export interface StopLadder {
  /** After closing stdin, before SIGTERM. */
  stdinGraceMs: number;
  /** After SIGTERM, before SIGKILL. */
  termGraceMs: number;
}

/** Default stop ladder: 2 s for stdin-close, 2 s for SIGTERM. */
export const DEFAULT_STOP_LADDER: StopLadder = { stdinGraceMs: 2000, termGraceMs: 2000 };

const live = new Set<ChildProcessWithoutNullStreams>();
/** Children whose process group we may no longer signal: its id may have been reused. */
const released = new WeakSet<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

/** Children still running, process-wide. */
export function liveChildren(): number {
  return live.size;
}

/**
 * Spawn without a shell, in a process group of its own so that the whole
 * group (npx and the server it launches) can be signalled together. The
 * group is registered with the process reaper (`runtime/reaper.ts`), which
 * kills it should this process die without stopping it, even by SIGKILL.
 *
 * When the leader exits, whatever remains of its group is SIGKILLed at once
 * (grandchildren die with their backend) and the group is released: from
 * then on nothing signals that id again, since once the group is empty the
 * kernel may hand the id to an unrelated process.
 */
export function spawnChild(spec: ChildSpec, options: SpawnOptions = {}): ChildProcessWithoutNullStreams {
  installExitHook();
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ["pipe", "pipe", "pipe"],
    shell: false,
    detached: process.platform !== "win32",
    windowsHide: true,
  });
  live.add(child);
  const pgid = child.pid;
  if (pgid !== undefined) registerGroup(pgid, options.onWarning ?? ((message) => process.emitWarning(message)));
  // Registered before any caller's listener: by the time others hear of the exit, the group is released.
  child.once("exit", () => {
    live.delete(child);
    // The leader was reaped just now, in this same turn: a group id kept alive
    // by survivors is still theirs, an empty one no longer exists.
    if (pgid !== undefined && process.platform !== "win32") killGroup(pgid);
    released.add(child);
    if (pgid !== undefined) releaseGroup(pgid);
  });
  child.once("error", () => live.delete(child));
  return child;
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcessWithoutNullStreams): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
}

/**
 * Send a signal to the child's process group (falling back to the child
 * alone). Does nothing once the group is released (the leader has exited).
 */
export function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  if (child.pid === undefined || released.has(child)) return;
  try {
    if (process.platform !== "win32") process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Stop ladder: close stdin → wait → SIGTERM the group → wait → SIGKILL the
 * group. Resolves with how the child ended. For a child that has already
 * exited it only reports how: its group was killed and released then.
 */
export async function stopChild(child: ChildProcessWithoutNullStreams, ladder: StopLadder = DEFAULT_STOP_LADDER): Promise<ChildExit> {
  const done = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return done;
  child.stdin.end();
  if (await settlesWithin(done, ladder.stdinGraceMs)) return done;
  signalGroup(child, "SIGTERM");
  if (await settlesWithin(done, ladder.termGraceMs)) return done;
  signalGroup(child, "SIGKILL");
  return done;
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // The group emptied with its leader.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: whatever way this process exits, no child group outlives it.
  process.once("exit", () => {
    for (const child of live) signalGroup(child, "SIGKILL");
  });
}
