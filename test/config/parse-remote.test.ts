import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { ConfigError } from "../../src/config/config-error.js";
import { DEFAULT_REMOTE_RESTART } from "../../src/config/defaults.js";

function issues(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe("remote server entries", () => {
  it("reads http and sse entries with ${VAR} in url and headers, tls, and the per-server lifecycle keys", () => {
    const { config, warnings } = parseConfig(
      {
        servers: {
          api: {
            type: "http",
            url: "https://${HOST}/mcp",
            headers: { Authorization: "Bearer ${TOKEN}" },
            tls: { ca: "/etc/ca.pem", rejectUnauthorized: false },
            timeout: 2000,
            restart: { maxAttempts: 3 },
          },
          old: { type: "sse", url: "http://127.0.0.1:3001/sse", startupTimeout: 900 },
        },
      },
      { HOST: "example.com", TOKEN: "s3cret" },
    );
    expect(warnings).toEqual([]);
    expect(config.servers["api"]).toEqual({
      type: "http",
      isolation: "shared",
      url: "https://example.com/mcp",
      headers: { Authorization: "Bearer s3cret" },
      tls: { caFile: "/etc/ca.pem", rejectUnauthorized: false },
      sseFallback: false,
      timeoutMs: 2000,
      startupTimeoutMs: 2000,
      prefix: true,
      enabled: true,
      restart: { ...DEFAULT_REMOTE_RESTART, maxAttempts: 3 },
    });
    expect(config.servers["old"]).toMatchObject({ type: "sse", startupTimeoutMs: 900, tls: { rejectUnauthorized: true }, restart: DEFAULT_REMOTE_RESTART });
  });

  it("accepts the streamable-http spellings of other tools; a url without type falls back to sse", () => {
    const { config } = parseConfig({ servers: { a: { type: "streamable-http", url: "http://x/mcp" }, b: { transport: "streamableHttp", url: "http://x/mcp" }, c: { url: "http://x/mcp" } } });
    expect(Object.values(config.servers).map((s) => [s.type, "sseFallback" in s && s.sseFallback])).toEqual([
      ["http", false],
      ["http", false],
      ["http", true],
    ]);
  });

  it("names every problem with its path: missing or bad url, unknown type, bad header name, unset variable", () => {
    expect(
      issues({
        servers: {
          a: { type: "http" },
          b: { url: "ftp://x" },
          c: { type: "websocket", url: "ws://x" },
          d: { url: "http://x", headers: { "Bad Name": "1" } },
          e: { url: "http://x", headers: { Authorization: "Bearer ${NOPE}" } },
        },
      }),
    ).toEqual([
      "servers.e.headers.Authorization: environment variable NOPE is not set (used as ${NOPE}); set it, or write ${NOPE:-default}",
      "servers.a.url: must be the server's http:// or https:// URL",
      "servers.b.url: must be an absolute http:// or https:// URL",
      'servers.c.type: must be "stdio", "http" (Streamable HTTP) or "sse" (legacy HTTP+SSE)',
      'servers.d.headers."Bad Name": is not a valid HTTP header name',
    ]);
  });

  it("reads maxSockets per server (absent: the transport's default) and refuses what is not a whole number from 1 to 1024", () => {
    const { config } = parseConfig({ servers: { a: { url: "http://x/mcp", maxSockets: 4 }, b: { type: "sse", url: "http://x/sse" } } });
    expect(config.servers["a"]).toMatchObject({ maxSockets: 4 });
    expect(config.servers["b"]).not.toHaveProperty("maxSockets");
    expect(issues({ servers: { a: { url: "http://x/mcp", maxSockets: 0 }, b: { url: "http://x/mcp", maxSockets: "8" } } })).toEqual([
      "servers.a.maxSockets: must be a whole number from 1 to 1024",
      "servers.b.maxSockets: must be a whole number from 1 to 1024",
    ]);
  });

  it("reads era and probeTimeout of a Streamable HTTP server; an sse server cannot be modern", () => {
    const { config, warnings } = parseConfig({ servers: { a: { url: "http://x/mcp", era: "legacy", probeTimeout: 500 }, b: { type: "sse", url: "http://x/sse", era: "legacy" } } });
    expect(warnings).toEqual([]);
    expect(config.servers["a"]).toMatchObject({ era: "legacy", probeTimeoutMs: 500 });
    expect(config.servers["b"]).toMatchObject({ era: "legacy" });
    expect(issues({ servers: { a: { type: "sse", url: "http://x/sse", era: "modern" }, b: { url: "http://x/mcp", era: "new" } } })).toEqual([
      'servers.a.era: cannot be "modern" for a legacy HTTP+SSE ("sse") server; use type "http" for a 2026-07-28 server',
      'servers.b.era: "auto" (probe with server/discover at each start), "legacy" (initialize, no probe) or "modern"',
    ]);
  });

  it("warns about stdio keys on a remote entry", () => {
    const { warnings } = parseConfig({ servers: { a: { url: "http://x/mcp", command: "node" } } });
    expect(warnings).toEqual([expect.stringMatching(/^servers\.a\.command: unknown key, ignored/)]);
  });
});
