#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError } from "./config/config-error.js";
import { loadConfigFile } from "./config/load-config.js";
import { isLogLevel, createLogger } from "./log/logger.js";
import { Switchboard } from "./switchboard.js";
import { VERSION } from "./version.js";

const USAGE = `mcp-switchboard ${VERSION}: one MCP endpoint in front of many MCP servers

Usage: mcp-switchboard [config.json] [options]

  config.json          the seed's { proxy, servers } shape or a Claude Desktop /
                       Cursor { mcpServers } file (default: the built-in example)
  --stdio              serve one client on stdin/stdout instead of HTTP
  --host HOST          HTTP bind address (default 127.0.0.1)
  --port PORT          HTTP port, 0 for any free one (default 8000)
  --log-level LEVEL    debug | info | warn | error (default info)
  --help, -h           this text
  --version, -v        the version

HTTP is the default front: http://127.0.0.1:8000/mcp. Logs go to stderr.`;

/** The example config used when none is given. */
const BUILT_IN_CONFIG = fileURLToPath(new URL("../examples/basic-proxy.json", import.meta.url));

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        stdio: { type: "boolean" },
        host: { type: "string" },
        port: { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    process.stderr.write(`mcp-switchboard: ${(error as Error).message}\nRun mcp-switchboard --help for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  if (values.version) {
    process.stdout.write(VERSION + "\n");
    return 0;
  }
  if (positionals.length > 1) {
    process.stderr.write(`mcp-switchboard: expected at most one config file, got ${positionals.length}\n`);
    return 2;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      process.stderr.write(`mcp-switchboard: --port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}\n`);
      return 2;
    }
  }
  const logLevelFlag = values["log-level"];
  if (logLevelFlag !== undefined && !isLogLevel(logLevelFlag)) {
    process.stderr.write(`mcp-switchboard: --log-level must be debug, info, warn or error\n`);
    return 2;
  }

  const file = positionals[0] ?? BUILT_IN_CONFIG;
  let switchboard: Switchboard;
  try {
    const { config, warnings } = await loadConfigFile(file);
    const logger = createLogger({ level: logLevelFlag ?? config.logLevel });
    for (const warning of warnings) logger.warn(`${file}: ${warning}`);
    // The CLI owns its process, so it may return memory after bursts (an embedder decides for itself).
    switchboard = Switchboard.fromConfig(config, { logger, idleGc: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const issue of error.issues) process.stderr.write(`${file}: ${issue.path}: ${issue.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = switchboard.logger;
  if (positionals.length === 0) logger.info(`no config given; using the built-in example ${file}`);

  let stopping: Promise<void> | undefined;
  const stop = (why: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info(`${why}; shutting down`);
      await switchboard.close();
    })();
    return stopping;
  };
  const done = new Promise<number>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, () => void stop(`received ${signal}`).then(() => resolve(0)));
    }
    process.on("uncaughtException", (error) => {
      logger.error(`internal error: ${error.stack ?? String(error)}`);
      void stop("internal error").then(() => resolve(1));
    });
  });

  try {
    if (values.stdio) {
      const front = await switchboard.run({ transport: "stdio" });
      void front.closed.then(() => stop("stdin closed"));
      // On stdio, the client closing our stdin is the normal end.
      return await Promise.race([done, front.closed.then(() => stopping).then(() => 0)]);
    }
    const front = await switchboard.run({
      transport: "http",
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(port === undefined ? {} : { port }),
    });
    // Always said, whatever the log level: scripts and tests wait for this line.
    process.stderr.write(`[mcp-switchboard] listening on ${front.url}\n`);
    return await done;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === "EADDRINUSE"
        ? `the port is already in use; pick another with --port (0 = any free port)`
        : code === "EACCES"
          ? `no permission to listen there; use a port above 1023`
          : (error as Error).message;
    logger.error(`cannot start: ${message}`);
    await switchboard.close();
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mcp-switchboard: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
