import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError } from "./config-error.js";
import { parseConfig, type ParsedConfig } from "./parse-config.js";

/**
 * Read and validate a config file. Relative `cwd` values of servers are
 * taken relative to the file's folder, and `${CONFIG_DIR}` is that folder.
 */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ParsedConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw new ConfigError([{ path: "(file)", message: `cannot read ${file}: ${reason}` }], file);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: "(file)", message: `not valid JSON: ${(error as Error).message}` }], file);
  }
  const base = dirname(resolve(file));
  // ${CONFIG_DIR} lets a config name files beside itself, wherever it is run from.
  const parsed = parseConfig(raw, { CONFIG_DIR: base, ...env }, file);
  for (const server of Object.values(parsed.config.servers)) {
    if (server.type === "stdio") {
      if (server.cwd !== undefined && !isAbsolute(server.cwd)) server.cwd = resolve(base, server.cwd);
    } else if (server.tls.caFile !== undefined && !isAbsolute(server.tls.caFile)) server.tls.caFile = resolve(base, server.tls.caFile);
  }
  return parsed;
}
