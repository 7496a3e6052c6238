/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Where the switchboard writes what it has to say. Never stdout: stdout may carry protocol. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger writing one line per message to a stream (stderr by default). */
export function createLogger(options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const threshold = RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const at = (level: LogLevel) => (message: string) => {
    if (RANK[level] >= threshold) write(`[mcp-switchboard] ${level === "info" ? "" : level + ": "}${message}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** True when `level` is a LogLevel name. */
export function isLogLevel(level: unknown): level is LogLevel {
  return typeof level === "string" && level in RANK;
}
