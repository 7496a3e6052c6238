import type { Backend } from "../backend/backend.js";
import type { Cancellation } from "../jsonrpc/cancellation.js";

/**
 * Resolves once none of `backends` is still starting, after `ms` at most, or
 * when `cancellation` fires; never rejects. A request that needs the catalog
 * waits here briefly, so that a client asking right after connecting sees
 * the backends that come up in a moment, while one slow backend (a first
 * `npx -y` download) delays nobody for long: its tools arrive later with
 * `notifications/tools/list_changed`.
 */
export function waitForStartup(backends: readonly Backend[], ms: number, cancellation?: Cancellation): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe: Array<() => void> = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const off of unsubscribe) off();
      resolve();
    };
    const check = (): void => {
      if (backends.every((backend) => !backend.isStarting)) done();
    };
    for (const backend of backends) unsubscribe.push(backend.events.on("stateChanged", check));
    if (cancellation) unsubscribe.push(cancellation.onCancel(done));
    timer = setTimeout(done, ms);
    timer.unref?.();
    check();
  });
}
