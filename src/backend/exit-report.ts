import { hasCode } from "../jsonrpc/local-error.js";
import type { ChildExit } from "./child-process.js";

/** How a child ended, in words: `exited with code 1`, `was killed by SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? "unknown"}`;
}

/** Why a backend in `state` cannot take a request, in words. */
export function unavailableReason(state: string, lastError: string | null): string {
  switch (state) {
    case "starting":
      return "is still starting";
    case "restarting":
      return `is restarting after: ${lastError ?? "an exit"}`;
    case "failed":
      return `failed and will not be restarted (last error: ${lastError ?? "unknown"})`;
    case "disabled":
      return "is disabled in the config";
    default:
      return "is stopped";
  }
}

/** What happens next to a backend whose connection ended, now that it is in `state`, in words. */
export function whatNext(state: string): string {
  switch (state) {
    case "failed":
      return "it will not be restarted";
    case "stopped":
      return "it was stopped (the switchboard is closing, or its servers were replaced)";
    default:
      return "it is being restarted; try again shortly";
  }
}

/** `1.5s`, `2s`, `250ms`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)}s` : `${ms}ms`;
}

/** The promise's value if it settles within `ms`, else undefined. */
export async function withinMs<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!promise) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why a startup failed, in words: a handshake timeout, the connection's end (`end`, when known), or the error. */
export function startupFailure(error: unknown, end: { description: string } | undefined, startupTimeoutMs: number): string {
  if (hasCode(error, "REQUEST_TIMEOUT")) return `did not finish its handshake within ${startupTimeoutMs} ms`;
  if (end) return `${end.description} during startup`;
  return `failed during startup: ${error instanceof Error ? error.message : String(error)}`;
}
