import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import { isLogLevel } from "../log/logger.js";
import { MAX_MESSAGE_BYTES } from "../jsonrpc/line-decoder.js";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { DEFAULT_HTTP, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_PROXY, DEFAULT_RESTART, DEFAULT_RESUME, DEFAULT_TIMEOUT_MS } from "./defaults.js";
import { joinPath, substituteEnv } from "./substitute-env.js";
import { Reader } from "./reader.js";
import { MRTR_KEYS, parseMrtr } from "./parse-mrtr.js";

export { Reader } from "./reader.js";
import { isRemoteEntry, parseRemoteServer } from "./parse-remote.js";
import { parseEra } from "./parse-era.js";
import type { HttpFrontConfig, HttpResumeConfig, Isolation, ProxyConfig, RootConfig, ServerConfig, StdioServerConfig, SwitchboardConfig } from "./types.js";

/** A parsed config and the warnings (unknown keys, skipped entries) met on the way. */
export interface ParsedConfig {
  config: SwitchboardConfig;
  warnings: string[];
}

const TOP_KEYS = ["proxy", "servers", "mcpServers", "server", "maxMessageBytes", "maxBufferedBytes", "logLevel", "$schema"];
const PROXY_KEYS = [
  "enabled",
  "namespace",
  "separator",
  "maxNameLength",
  "startupWait",
  "pageSize",
  "maxSessionBackends",
  "sessionBackendIdleTimeout",
  "cacheTtl",
  "instructions",
  "maxListens",
  "listenKeepAlive",
  "maxInputRounds",
  "maxTasks",
  "maxStatelessTasks",
  "maxOpenElicitations",
  ...MRTR_KEYS,
];
const SERVER_KEYS = ["type", "command", "args", "cwd", "env", "inheritEnv", "timeout", "startupTimeout", "prefix", "enabled", "disabled", "restart", "description", "isolation", "roots", "era", "probeTimeout"];
const RESTART_KEYS = ["maxAttempts", "initialDelay", "maxDelay"];
const HTTP_KEYS = ["host", "port", "path", "authToken", "allowedOrigins", "allowedHosts", "maxBodyBytes", "maxSessions", "sessionIdleTimeout", "shutdownGrace", "headersTimeout", "requestTimeout", "maxBatchResponseBytes", "resume", "keepAliveTimeout", "maxStatelessRequests"];
const RESUME_KEYS = ["bufferBytes", "sessionBufferBytes", "retry", "window", "maxConnectionDuration"];


/**
 * Validate a parsed config file (the seed's `{ proxy, servers }` shape, or a
 * Claude Desktop / Cursor `{ mcpServers }` file), substitute `${VAR}` from
 * `env`, and fill in defaults. Throws ConfigError listing every problem.
 */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, source?: string): ParsedConfig {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const read = new Reader(issues, warnings);
  if (!isJsonObject(raw)) throw new ConfigError([{ path: "(root)", message: "must be a JSON object" }], source);
  const substituted = substituteEnv(raw, env, issues) as JsonObject;
  const root = read.object(substituted, "$", TOP_KEYS) ?? {};

  const proxy = parseProxy(read, root["proxy"]);
  const servers: Record<string, ServerConfig> = {};
  for (const key of ["servers", "mcpServers"] as const) {
    const entries = root[key];
    if (entries === undefined) continue;
    if (!isJsonObject(entries)) {
      issues.push({ path: key, message: "must be an object mapping server names to server configs" });
      continue;
    }
    for (const [name, entry] of Object.entries(entries)) {
      const path = joinPath(key, name);
      if (Object.hasOwn(servers, name)) {
        issues.push({ path, message: `server "${name}" is defined in both "servers" and "mcpServers"; keep one` });
        continue;
      }
      const nameProblem = serverNameProblem(name, proxy.separator);
      if (nameProblem) {
        issues.push({ path, message: nameProblem });
        continue;
      }
      const server = parseServer(read, entry, path);
      if (server) servers[name] = server;
    }
  }

  const config: SwitchboardConfig = {
    proxy,
    servers,
    server: parseHttp(read, root["server"]),
    maxMessageBytes: read.integer(root, "maxMessageBytes", "$", MAX_MESSAGE_BYTES, 1024),
    maxBufferedBytes: read.integer(root, "maxBufferedBytes", "$", DEFAULT_MAX_BUFFERED_BYTES, 1024),
    logLevel: "info",
  };
  const level = root["logLevel"];
  if (level !== undefined) {
    if (isLogLevel(level)) config.logLevel = level;
    else issues.push({ path: "logLevel", message: 'must be one of "debug", "info", "warn", "error"' });
  }
  if (issues.length > 0) throw new ConfigError(issues, source);
  return { config, warnings };
}

function parseProxy(read: Reader, value: unknown): ProxyConfig {
  const obj = read.object(value, "proxy", PROXY_KEYS);
  if (!obj) return { ...DEFAULT_PROXY };
  const proxy: ProxyConfig = {
    enabled: read.boolean(obj, "enabled", "proxy", DEFAULT_PROXY.enabled),
    namespace: read.string(obj, "namespace", "proxy", DEFAULT_PROXY.namespace),
    separator: read.string(obj, "separator", "proxy", DEFAULT_PROXY.separator, { nonEmpty: true }),
    startupWaitMs: read.integer(obj, "startupWait", "proxy", DEFAULT_PROXY.startupWaitMs, 0, 600_000),
    pageSize: read.integer(obj, "pageSize", "proxy", DEFAULT_PROXY.pageSize, 0, 100_000),
    maxSessionBackends: read.integer(obj, "maxSessionBackends", "proxy", DEFAULT_PROXY.maxSessionBackends, 1, 100_000),
    sessionBackendIdleMs: read.integer(obj, "sessionBackendIdleTimeout", "proxy", DEFAULT_PROXY.sessionBackendIdleMs, 1000, 24 * 3600_000),
    cacheTtlMs: read.integer(obj, "cacheTtl", "proxy", DEFAULT_PROXY.cacheTtlMs, 0, 7 * 24 * 3600_000),
    maxListens: read.integer(obj, "maxListens", "proxy", DEFAULT_PROXY.maxListens, 0, 100_000),
    listenKeepAliveMs: read.integer(obj, "listenKeepAlive", "proxy", DEFAULT_PROXY.listenKeepAliveMs, 0, 3600_000),
    maxInputRounds: read.integer(obj, "maxInputRounds", "proxy", DEFAULT_PROXY.maxInputRounds, 1, 1000),
    mrtr: parseMrtr(read, obj),
    maxTasks: read.integer(obj, "maxTasks", "proxy", DEFAULT_PROXY.maxTasks, 1, 1_000_000),
    maxStatelessTasks: read.integer(obj, "maxStatelessTasks", "proxy", DEFAULT_PROXY.maxStatelessTasks, 1, 10_000_000),
    maxOpenElicitations: read.integer(obj, "maxOpenElicitations", "proxy", DEFAULT_PROXY.maxOpenElicitations, 1, 1_000_000),
  };
  const instructions = read.optionalString(obj, "instructions", "proxy");
  if (instructions !== undefined) proxy.instructions = instructions;
  if (obj["maxNameLength"] !== undefined) proxy.maxNameLength = read.integer(obj, "maxNameLength", "proxy", 64, 8, 1024);
  if (proxy.namespace !== "" && !/^[A-Za-z0-9_.-]+$/.test(proxy.namespace)) {
    read.issues.push({ path: "proxy.namespace", message: "may hold only A-Z a-z 0-9 _ - . (or be empty for no namespace)" });
  }
  if (!/^[A-Za-z0-9_.\-/:]{1,8}$/.test(proxy.separator) || /^[A-Za-z0-9]+$/.test(proxy.separator)) {
    read.issues.push({ path: "proxy.separator", message: 'must be 1 to 8 punctuation characters such as "." "_" "__" "-"' });
  }
  return proxy;
}

function serverNameProblem(name: string, separator: string): string | undefined {
  if (name.length === 0) return "server names must not be empty";
  // Server names become record keys (health report, maps keyed by name):
  // "__proto__" would vanish and "constructor" would read as present.
  if (name in Object.prototype || name === "prototype") {
    return `the server name "${name}" is reserved (a built-in property of JavaScript objects); pick another name`;
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return "server names may hold only A-Z a-z 0-9 _ - . (they become part of tool names)";
  if (name.includes(separator)) {
    return `server name contains the separator "${separator}", which would make its tool names ambiguous; rename the server or change proxy.separator`;
  }
  return undefined;
}

function parseServer(read: Reader, value: unknown, path: string): ServerConfig | undefined {
  if (isRemoteEntry(value)) {
    const remote = parseRemoteServer(read, value, path);
    if (remote && isJsonObject(value)) {
      // Who a server's requests go to is the same question for every connector.
      remote.isolation = parseIsolation(read, value, path);
      const roots = parseRoots(read, value["roots"], joinPath(path, "roots"));
      if (roots !== undefined) remote.roots = roots;
    }
    return remote;
  }
  const obj = read.object(value, path, [...SERVER_KEYS, "url", "headers", "transport"]);
  if (!obj) {
    if (value === undefined) read.issues.push({ path, message: "must be an object" });
    return undefined;
  }
  const type = obj["type"] ?? obj["transport"];
  if (type !== undefined && type !== "stdio") {
    read.issues.push({ path: joinPath(path, obj["type"] !== undefined ? "type" : "transport"), message: 'must be "stdio", "http" (Streamable HTTP) or "sse" (legacy HTTP+SSE)' });
    return undefined;
  }
  const command = read.string(obj, "command", path, "", { nonEmpty: true });
  if (!("command" in obj)) read.issues.push({ path: joinPath(path, "command"), message: "must be a non-empty string (the program to run)" });
  const timeoutMs = read.integer(obj, "timeout", path, DEFAULT_TIMEOUT_MS, 1, 24 * 3600_000);
  const restartObj = read.object(obj["restart"], joinPath(path, "restart"), RESTART_KEYS);
  const restartPath = joinPath(path, "restart");
  const enabled = read.boolean(obj, "enabled", path, true) && !read.boolean(obj, "disabled", path, false);
  const server: StdioServerConfig = {
    type: "stdio",
    command,
    args: read.stringArray(obj, "args", path),
    env: read.stringMap(obj, "env", path, "an environment variable name"),
    inheritEnv: read.boolean(obj, "inheritEnv", path, false),
    timeoutMs,
    startupTimeoutMs: read.integer(obj, "startupTimeout", path, timeoutMs, 1, 24 * 3600_000),
    prefix: read.boolean(obj, "prefix", path, true),
    enabled,
    restart: restartObj
      ? {
          maxAttempts: read.integer(restartObj, "maxAttempts", restartPath, DEFAULT_RESTART.maxAttempts, 0, 1000),
          initialDelayMs: read.integer(restartObj, "initialDelay", restartPath, DEFAULT_RESTART.initialDelayMs, 1),
          maxDelayMs: read.integer(restartObj, "maxDelay", restartPath, DEFAULT_RESTART.maxDelayMs, 1),
        }
      : { ...DEFAULT_RESTART },
    isolation: parseIsolation(read, obj, path),
  };
  const cwd = read.optionalString(obj, "cwd", path);
  if (cwd !== undefined) server.cwd = cwd;
  parseEra(read, obj, path, server);
  const roots = parseRoots(read, obj["roots"], joinPath(path, "roots"));
  if (roots !== undefined) server.roots = roots;
  if (roots !== undefined && server.isolation === "session") {
    read.warnings.push(`${joinPath(path, "roots")}: ignored for isolation "session" (each session's backend gets its own client's roots)`);
  }
  return server;
}

function parseResume(read: Reader, value: unknown): HttpResumeConfig {
  const obj = read.object(value, "server.resume", RESUME_KEYS);
  if (!obj) return { ...DEFAULT_RESUME };
  const path = "server.resume";
  return {
    bufferBytes: read.integer(obj, "bufferBytes", path, DEFAULT_RESUME.bufferBytes, 0),
    sessionBufferBytes: read.integer(obj, "sessionBufferBytes", path, DEFAULT_RESUME.sessionBufferBytes, 0),
    retryMs: read.integer(obj, "retry", path, DEFAULT_RESUME.retryMs, 0, 3600_000),
    windowMs: read.integer(obj, "window", path, DEFAULT_RESUME.windowMs, 0, 24 * 3600_000),
    maxConnectionMs: read.integer(obj, "maxConnectionDuration", path, DEFAULT_RESUME.maxConnectionMs, 0, 24 * 3600_000),
  };
}

function parseIsolation(read: Reader, obj: JsonObject, path: string): Isolation {
  const value = obj["isolation"];
  if (value === undefined) return "shared";
  if (value === "shared" || value === "session") return value;
  read.issues.push({ path: joinPath(path, "isolation"), message: '"shared" (one process for every client) or "session" (one process per client session)' });
  return "shared";
}

/** `roots`: a list of `file://` URIs, each a string or `{ "uri", "name" }`. */
function parseRoots(read: Reader, value: unknown, path: string): RootConfig[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    read.issues.push({ path, message: 'must be an array of file:// URIs (strings or { "uri", "name" } objects)' });
    return undefined;
  }
  const roots: RootConfig[] = [];
  value.forEach((item: unknown, index) => {
    const at = `${path}[${index}]`;
    const uri = typeof item === "string" ? item : isJsonObject(item) ? item["uri"] : undefined;
    const name = isJsonObject(item) ? item["name"] : undefined;
    if (typeof uri !== "string" || !uri.startsWith("file://")) {
      read.issues.push({ path: at, message: 'must be a file:// URI, or { "uri": "file://…", "name": "…" }' });
    } else if (name !== undefined && typeof name !== "string") {
      read.issues.push({ path: `${at}.name`, message: "must be a string" });
    } else {
      roots.push(typeof name === "string" ? { uri, name } : { uri });
    }
  });
  return roots;
}

function parseHttp(read: Reader, value: unknown): HttpFrontConfig {
  const obj = read.object(value, "server", HTTP_KEYS);
  if (!obj) return { ...DEFAULT_HTTP };
  const http: HttpFrontConfig = {
    host: read.string(obj, "host", "server", DEFAULT_HTTP.host, { nonEmpty: true }),
    port: read.integer(obj, "port", "server", DEFAULT_HTTP.port, 0, 65535),
    path: read.string(obj, "path", "server", DEFAULT_HTTP.path, { nonEmpty: true }),
    allowedOrigins: read.stringArray(obj, "allowedOrigins", "server"),
    allowedHosts: read.stringArray(obj, "allowedHosts", "server"),
    maxBodyBytes: read.integer(obj, "maxBodyBytes", "server", DEFAULT_HTTP.maxBodyBytes, 1024),
    maxSessions: read.integer(obj, "maxSessions", "server", DEFAULT_HTTP.maxSessions, 1),
    sessionIdleMs: read.integer(obj, "sessionIdleTimeout", "server", DEFAULT_HTTP.sessionIdleMs, 1000),
    shutdownGraceMs: read.integer(obj, "shutdownGrace", "server", DEFAULT_HTTP.shutdownGraceMs, 0),
    headersTimeoutMs: read.integer(obj, "headersTimeout", "server", DEFAULT_HTTP.headersTimeoutMs, 100),
    requestTimeoutMs: read.integer(obj, "requestTimeout", "server", DEFAULT_HTTP.requestTimeoutMs, 100),
    maxBatchResponseBytes: read.integer(obj, "maxBatchResponseBytes", "server", DEFAULT_HTTP.maxBatchResponseBytes, 1024),
    keepAliveTimeoutMs: read.integer(obj, "keepAliveTimeout", "server", DEFAULT_HTTP.keepAliveTimeoutMs, 1000, 600_000),
    maxStatelessRequests: read.integer(obj, "maxStatelessRequests", "server", DEFAULT_HTTP.maxStatelessRequests, 1, 1_000_000),
    resume: parseResume(read, obj["resume"]),
  };
  if (!http.path.startsWith("/")) read.issues.push({ path: "server.path", message: 'must start with "/"' });
  const token = read.optionalString(obj, "authToken", "server");
  if (token !== undefined) http.authToken = token;
  return http;
}
