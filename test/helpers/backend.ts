import { Backend, type BackendOptions } from "../../src/backend/backend.js";
import type { ServerConfig, StdioServerConfig } from "../../src/config/types.js";
import type { Logger } from "../../src/log/logger.js";
import { fixture } from "./paths.js";

/** A logger that keeps every line for assertions. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A stdio server config for a fixture, with test-friendly defaults. */
export function fixtureServer(name: string, args: string[] = [], overrides: Partial<StdioServerConfig> = {}): StdioServerConfig {
  return {
    type: "stdio",
    command: process.execPath,
    args: [fixture(name), ...args],
    env: {},
    inheritEnv: false,
    timeoutMs: 10_000,
    startupTimeoutMs: 10_000,
    prefix: true,
    enabled: true,
    restart: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 },
    isolation: "shared",
    ...overrides,
  };
}

/** A backend on a fixture, with a recording logger and a counter of catalog changes. */
export function fixtureBackend(
  name: string,
  config: ServerConfig,
  options: Partial<BackendOptions> = {},
): { backend: Backend; logger: ReturnType<typeof recordingLogger>; changes: { count: number } } {
  const logger = recordingLogger();
  const changes = { count: 0 };
  const backend = new Backend(name, config, {
    logger,
    maxMessageBytes: 16 * 1024 * 1024,
    stopLadder: { stdinGraceMs: 500, termGraceMs: 500 },
    ...options,
  });
  backend.events.on("catalogChanged", () => void changes.count++);
  return { backend, logger, changes };
}
