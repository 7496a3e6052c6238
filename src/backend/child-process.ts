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
  child.once("exit", () => {
    live.delete(child);
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

/** Send a signal to the child's process group (falling back to the child alone). */
export function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
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
 * group. Resolves with how the child ended.
 */
export async function stopChild(child: ChildProcessWithoutNullStreams, ladder: StopLadder = DEFAULT_STOP_LADDER): Promise<ChildExit> {
  const done = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) {
    // The leader is gone; grandchildren in its group may remain.
    signalGroup(child, "SIGKILL");
    return done;
  }
  child.stdin.end();
  if (await settlesWithin(done, ladder.stdinGraceMs)) return reapGroup(child, done);
  signalGroup(child, "SIGTERM");
  if (await settlesWithin(done, ladder.termGraceMs)) return reapGroup(child, done);
  signalGroup(child, "SIGKILL");
  return done;
}

async function reapGroup(child: ChildProcessWithoutNullStreams, done: Promise<ChildExit>): Promise<ChildExit> {
  // The leader exited politely; anything it left in its group goes too.
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

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: whatever way this process exits, no child group outlives it.
  process.once("exit", () => {
    for (const child of live) signalGroup(child, "SIGKILL");
  });
}
