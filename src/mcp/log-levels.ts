import { ErrorCode, JsonRpcError } from "../jsonrpc/errors.js";

/**
 * MCP logging levels: the RFC 5424 syslog severities, from the most verbose
 * (`debug`) to the most severe (`emergency`). A client that sets level L
 * receives messages at L and above.
 */
export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;

/** One MCP logging level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: ReadonlyMap<string, number> = new Map(LOG_LEVELS.map((level, index) => [level, index]));

/** True when `value` is an MCP logging level (exact, lowercase). */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && RANK.has(value);
}

/** Severity rank: 0 for `debug` up to 7 for `emergency` (the reverse of RFC 5424's numbers). */
export function logLevelRank(level: LogLevel): number {
  return RANK.get(level) as number;
}

/** Negative when `a` is less severe than `b`, zero when equal, positive when more severe. */
export function compareLogLevels(a: LogLevel, b: LogLevel): number {
  return logLevelRank(a) - logLevelRank(b);
}

/**
 * The most verbose of `levels` (the one letting the most messages through),
 * or undefined when there are none: the level to set on a backend shared by
 * clients that asked for these.
 */
export function mostVerbose(levels: Iterable<LogLevel>): LogLevel | undefined {
  let best: LogLevel | undefined;
  for (const level of levels) if (best === undefined || logLevelRank(level) < logLevelRank(best)) best = level;
  return best;
}

/**
 * True when a message at `messageLevel` goes to a client that set
 * `clientLevel`. A client that set no level gets every message (the spec
 * leaves the choice to the server until the client sets one); so does a
 * message whose level we do not know, since dropping it would hide it.
 */
export function shouldDeliver(messageLevel: unknown, clientLevel: LogLevel | undefined): boolean {
  if (clientLevel === undefined || !isLogLevel(messageLevel)) return true;
  return logLevelRank(messageLevel) >= logLevelRank(clientLevel);
}

/**
 * The level `logging/setLevel` params ask for. Throws JsonRpcError -32602
 * naming the accepted levels when `params.level` is missing or not one.
 */
export function parseSetLevelParams(params: unknown): LogLevel {
  const level = typeof params === "object" && params !== null ? (params as { level?: unknown }).level : undefined;
  if (isLogLevel(level)) return level;
  const got = level === undefined ? "no level" : JSON.stringify(level) ?? String(level);
  throw new JsonRpcError(ErrorCode.InvalidParams, `Invalid params: logging/setLevel got ${got}; level must be one of ${LOG_LEVELS.join(", ")}`);
}
