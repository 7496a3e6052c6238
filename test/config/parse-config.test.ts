import type { StdioServerConfig } from "../../src/config/types.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.js";
import { loadConfigFile } from "../../src/config/load-config.js";
import { parseConfig } from "../../src/config/parse-config.js";

function issues(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe("parseConfig", () => {
  it("takes the seed's shape and fills every default", () => {
    const { config, warnings } = parseConfig({
      proxy: { enabled: true, namespace: "proxy" },
      servers: { time: { type: "stdio", command: "uvx", args: ["mcp-server-time"], cwd: "/tmp", env: { TZ: "UTC" } } },
    });
    expect(warnings).toEqual([]);
    expect(config.proxy).toEqual({
      enabled: true,
      namespace: "proxy",
      separator: ".",
      startupWaitMs: 5000,
      pageSize: 0,
      maxSessionBackends: 50,
      sessionBackendIdleMs: 600_000,
      cacheTtlMs: 0,
      maxListens: 100,
      listenKeepAliveMs: 25_000,
      maxInputRounds: 16,
      mrtr: { heldCallTimeoutMs: 300_000, maxHeldCalls: 1000, maxInputRequests: 16, inputBatchWindowMs: 10 },
      maxTasks: 1000,
      maxStatelessTasks: 10_000,
      maxOpenElicitations: 1024,
    });
    expect(config.servers["time"]).toEqual({
      type: "stdio",
      command: "uvx",
      args: ["mcp-server-time"],
      cwd: "/tmp",
      env: { TZ: "UTC" },
      inheritEnv: false,
      timeoutMs: 60000,
      startupTimeoutMs: 60000,
      prefix: true,
      enabled: true,
      restart: { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30000 },
      isolation: "shared",
    });
    expect(config.server).toMatchObject({ host: "127.0.0.1", port: 8000, path: "/mcp", maxBodyBytes: 4 * 1024 * 1024, maxStatelessRequests: 1024 });
    expect(config.maxMessageBytes).toBe(16 * 1024 * 1024);
  });

  it("reads server.resume (resumable SSE streams), filling its defaults, with path-precise issues", () => {
    const { config } = parseConfig({ servers: {}, server: { resume: { bufferBytes: 1024, retry: 250, maxConnectionDuration: 5000 } } });
    expect(config.server.resume).toEqual({ bufferBytes: 1024, sessionBufferBytes: 2 * 1024 * 1024, retryMs: 250, windowMs: 30_000, maxConnectionMs: 5000 });
    expect(parseConfig({ servers: {}, server: {} }).config.server.resume?.windowMs).toBe(30_000);
    expect(issues({ servers: {}, server: { resume: { window: -1, retry: "soon" } } }).join("\n")).toMatch(/server\.resume\.window[\s\S]*server\.resume\.retry|server\.resume\.retry[\s\S]*server\.resume\.window/);
  });

  it("reads a stdio server's era and probeTimeout, and proxy.maxInputRounds; refuses an unknown era", () => {
    const { config, warnings } = parseConfig({
      proxy: { maxInputRounds: 4 },
      servers: { old: { command: "x", era: "legacy" }, slow: { command: "x", probeTimeout: 500 }, plain: { command: "x" } },
    });
    expect(warnings).toEqual([]);
    expect(config.proxy.maxInputRounds).toBe(4);
    expect(config.servers["old"]).toMatchObject({ era: "legacy" });
    expect(config.servers["slow"]).toMatchObject({ probeTimeoutMs: 500 });
    expect(config.servers["plain"]?.era).toBeUndefined();
    expect(issues({ servers: { bad: { command: "x", era: "future" } } }).join("\n")).toMatch(/servers\.bad\.era/);
  });

  it("reads isolation, roots (URI strings or { uri, name }) and the session-process limits", () => {
    const { config, warnings } = parseConfig({
      proxy: { maxSessionBackends: 3, sessionBackendIdleTimeout: 5000 },
      servers: {
        fs: { command: "x", roots: ["file:///srv/a", { uri: "file:///srv/b", name: "B" }] },
        mine: { command: "x", isolation: "session" },
      },
    });
    expect(warnings).toEqual([]);
    expect(config.proxy).toMatchObject({ maxSessionBackends: 3, sessionBackendIdleMs: 5000 });
    expect(config.servers["fs"]).toMatchObject({ isolation: "shared", roots: [{ uri: "file:///srv/a" }, { uri: "file:///srv/b", name: "B" }] });
    expect(config.servers["mine"]?.isolation).toBe("session");
    expect(config.servers["mine"]?.roots).toBeUndefined();
  });

  it("reads the task, elicitation and stateless-request bounds, refusing values out of range with their paths", () => {
    const { config } = parseConfig({ proxy: { maxTasks: 5, maxStatelessTasks: 50, maxOpenElicitations: 7 }, server: { maxStatelessRequests: 64 }, servers: {} });
    expect(config.proxy).toMatchObject({ maxTasks: 5, maxStatelessTasks: 50, maxOpenElicitations: 7 });
    expect(config.server.maxStatelessRequests).toBe(64);
    expect(() => parseConfig({ proxy: { maxTasks: 0, maxOpenElicitations: "many" }, server: { maxStatelessRequests: 0 }, servers: {} })).toThrow(
      /proxy\.maxTasks[\s\S]*proxy\.maxOpenElicitations[\s\S]*server\.maxStatelessRequests/,
    );
  });

  it("reads the modern-era options (cache hint default, discover instructions, listen bounds)", () => {
    const { config } = parseConfig({ proxy: { cacheTtl: 60_000, instructions: "Use proxy.* tools.", maxListens: 4, listenKeepAlive: 0 }, servers: {} });
    expect(config.proxy).toMatchObject({ cacheTtlMs: 60_000, instructions: "Use proxy.* tools.", maxListens: 4, listenKeepAliveMs: 0 });
    expect(() => parseConfig({ proxy: { cacheTtl: -1 }, servers: {} })).toThrow(/proxy.cacheTtl/);
  });

  it("refuses a bad isolation and roots that are not file:// URIs, naming each; warns that roots do nothing for a session-isolated server", () => {
    expect(() => parseConfig({ servers: { a: { command: "x", isolation: "per-client" } } })).toThrow(/servers\.a\.isolation: "shared" .* or "session"/);
    expect(() => parseConfig({ servers: { a: { command: "x", roots: "file:///srv" } } })).toThrow(/servers\.a\.roots: must be an array/);
    expect(() => parseConfig({ servers: { a: { command: "x", roots: ["/srv", { uri: "file:///x", name: 3 }] } } })).toThrow(
      /servers\.a\.roots\[0\]: must be a file:\/\/ URI[\s\S]*servers\.a\.roots\[1\]\.name: must be a string/,
    );
    const { warnings } = parseConfig({ servers: { a: { command: "x", isolation: "session", roots: ["file:///srv"] } } });
    expect(warnings).toEqual(['servers.a.roots: ignored for isolation "session" (each session\'s backend gets its own client\'s roots)']);
  });

  it("takes a Claude Desktop mcpServers file, a url entry being Streamable HTTP with the HTTP+SSE fallback", () => {
    const { config, warnings } = parseConfig({
      mcpServers: { memory: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] }, remote: { url: "https://example.com/mcp" } },
    });
    expect(Object.keys(config.servers)).toEqual(["memory", "remote"]);
    expect(config.servers["remote"]).toMatchObject({ type: "http", url: "https://example.com/mcp", sseFallback: true, headers: {} });
    expect(warnings).toEqual([]);
  });

  it("lists every problem at once, each with its path", () => {
    expect(
      issues({
        proxy: { separator: "", namespace: "bad space" },
        servers: { a: { args: "x", env: { K: {} }, timeout: -1 }, "b.c": { command: "x" } },
        server: { port: 70000, path: "mcp" },
        logLevel: "loud",
      }),
    ).toEqual([
      "proxy.separator: must be a non-empty string",
      "proxy.namespace: may hold only A-Z a-z 0-9 _ - . (or be empty for no namespace)",
      'servers.a.command: must be a non-empty string (the program to run)',
      "servers.a.timeout: must be a whole number from 1 to 86400000",
      "servers.a.args: must be an array of strings",
      "servers.a.env.K: must be a string",
      'servers."b.c": server name contains the separator ".", which would make its tool names ambiguous; rename the server or change proxy.separator',
      "server.port: must be a whole number from 0 to 65535",
      'server.path: must start with "/"',
      'logLevel: must be one of "debug", "info", "warn", "error"',
    ]);
  });

  it("warns about unknown keys instead of failing", () => {
    const { warnings } = parseConfig({ servers: { a: { command: "x", colour: "blue" } }, extra: 1 });
    expect(warnings).toEqual([
      expect.stringMatching(/^extra: unknown key, ignored/),
      expect.stringMatching(/^servers\.a\.colour: unknown key, ignored/),
    ]);
  });

  it("substitutes ${VAR} and ${VAR:-default}, keeps $${ literal, and names unset variables", () => {
    const { config } = parseConfig(
      { servers: { a: { command: "${CMD}", args: ["${MISSING:-fallback}", "$${NOT_A_VAR}"], env: { TOKEN: "Bearer ${TOKEN}" } } } },
      { CMD: "node", TOKEN: "abc" },
    );
    expect(config.servers["a"]).toMatchObject({ command: "node", args: ["fallback", "${NOT_A_VAR}"], env: { TOKEN: "Bearer abc" } });
    expect(issues({ servers: { a: { command: "${NOPE}" } } })).toEqual([
      "servers.a.command: environment variable NOPE is not set (used as ${NOPE}); set it, or write ${NOPE:-default}",
    ]);
  });

  it("refuses a server defined in both shapes", () => {
    expect(issues({ servers: { a: { command: "x" } }, mcpServers: { a: { command: "y" } } })).toEqual([
      'mcpServers.a: server "a" is defined in both "servers" and "mcpServers"; keep one',
    ]);
  });

  it("with separator _, a server name holding _ is refused", () => {
    expect(issues({ proxy: { separator: "_" }, servers: { my_server: { command: "x" } } })[0]).toMatch(/contains the separator "_"/);
  });
});

describe("loadConfigFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "sb-config-"));

  it("says when the file is missing or not JSON", async () => {
    await expect(loadConfigFile(join(dir, "none.json"))).rejects.toThrow(/cannot read .*none\.json: no such file/);
    writeFileSync(join(dir, "bad.json"), "{ nope");
    await expect(loadConfigFile(join(dir, "bad.json"))).rejects.toThrow(/not valid JSON/);
  });

  it("resolves relative cwd and ${CONFIG_DIR} against the file's folder", async () => {
    writeFileSync(join(dir, "ok.json"), JSON.stringify({ servers: { a: { command: "node", args: ["${CONFIG_DIR}/server.mjs"], cwd: "sub" } } }));
    const { config } = await loadConfigFile(join(dir, "ok.json"), {});
    expect((config.servers["a"] as StdioServerConfig).args).toEqual([`${dir}/server.mjs`]);
    expect((config.servers["a"] as StdioServerConfig).cwd).toBe(join(dir, "sub"));
  });
});
