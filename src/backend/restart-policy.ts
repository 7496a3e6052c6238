import type { RestartPolicy } from "../config/types.js";

/**
 * Delay before restart attempt `failures` (1 = first): doubling from
 * `initialDelayMs`, capped at `maxDelayMs`; undefined once `maxAttempts`
 * consecutive failures are spent (give up).
 */
export function restartDelay(policy: RestartPolicy, failures: number): number | undefined {
  if (failures > policy.maxAttempts) return undefined;
  return Math.min(policy.initialDelayMs * 2 ** (failures - 1), policy.maxDelayMs);
}
