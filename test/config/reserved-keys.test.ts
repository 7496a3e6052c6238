import type { StdioServerConfig } from "../../src/config/types.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { substituteEnv } from "../../src/config/substitute-env.js";
import type { ConfigIssue } from "../../src/config/config-error.js";
import { MAIN } from "../helpers/paths.js";

/** Parse config text as a file would be (JSON.parse makes `__proto__` an own key) and list the issues. */
function issuesOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(JSON.parse(text), env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

const RESERVED = /is reserved \(a built-in property of JavaScript objects\); pick another name/;

describe("names that collide with Object.prototype", () => {
  it("refuses a server named __proto__ in servers and in mcpServers, path-precise", () => {
    expect(issuesOf('{ "servers": { "__proto__": { "command": "node" } } }')).toEqual([expect.stringMatching(/^servers\.__proto__: the server name "__proto__" /)]);
    expect(issuesOf('{ "servers": { "__proto__": { "command": "node" } } }')[0]).toMatch(RESERVED);
    expect(issuesOf('{ "mcpServers": { "__proto__": { "command": "node" } } }')).toEqual([expect.stringMatching(/^mcpServers\.__proto__: .*reserved/)]);
  });

  it("refuses constructor, prototype and every other Object.prototype member as a server name", () => {
    for (const name of ["constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "isPrototypeOf"]) {
      expect(issuesOf(`{ "servers": { "${name}": { "command": "node" } } }`)).toEqual([expect.stringMatching(new RegExp(`^servers\\.${name}: .*reserved`))]);
      expect(issuesOf(`{ "mcpServers": { "${name}": { "command": "node" } } }`)).toEqual([expect.stringMatching(new RegExp(`^mcpServers\\.${name}: .*reserved`))]);
    }
  });

  it("reports a reserved name once, without going on to check its entry", () => {
    expect(issuesOf('{ "servers": { "ok": { "command": "node" }, "__proto__": { "command": 3 } } }')).toEqual([expect.stringMatching(/^servers\.__proto__: .*reserved/)]);
  });

  it("refuses __proto__ as an environment variable name instead of dropping it", () => {
    expect(issuesOf('{ "servers": { "a": { "command": "node", "env": { "__proto__": "x", "OK": "1" } } } }')).toEqual([
      'servers.a.env.__proto__: "__proto__" cannot be passed as an environment variable name; remove it',
    ]);
  });

  it("still allows names that only look like built-ins, and env names like constructor", () => {
    const { config } = parseConfig(JSON.parse('{ "servers": { "proto": { "command": "node", "env": { "constructor": "1", "toString": "2" } } } }'), {});
    expect(Object.keys(config.servers)).toEqual(["proto"]);
    expect(Object.entries((config.servers["proto"] as StdioServerConfig).env)).toEqual([
      ["constructor", "1"],
      ["toString", "2"],
    ]);
  });

  it("reports a __proto__ key where keys are fixed as unknown, never reads through it", () => {
    const { config, warnings } = parseConfig(JSON.parse('{ "__proto__": { "servers": { "a": { "command": "node" } } }, "servers": { "b": { "command": "node", "__proto__": { "args": ["x"] } } } }'), {});
    expect(Object.keys(config.servers)).toEqual(["b"]);
    expect((config.servers["b"] as StdioServerConfig).args).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^__proto__: unknown key, ignored/), expect.stringMatching(/^servers\.b\.__proto__: unknown key, ignored/)]);
  });

  it("${VAR} substitution keeps own __proto__ keys (headers, env) as own keys", () => {
    const issues: ConfigIssue[] = [];
    const out = substituteEnv(JSON.parse('{ "headers": { "__proto__": "${X}", "A": "b" } }'), { X: "1" }, issues) as { headers: object };
    expect(issues).toEqual([]);
    expect(Object.getPrototypeOf(out.headers)).toBe(Object.prototype);
    expect(Object.entries(out.headers)).toEqual([
      ["__proto__", "1"],
      ["A", "b"],
    ]);
  });
});

describe("the CLI with a reserved server name", () => {
  it("exits 2 and names the path on stderr", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-reserved-"));
    const file = join(dir, "config.json");
    writeFileSync(file, '{ "mcpServers": { "__proto__": { "command": "node" }, "constructor": { "command": "node" } } }');
    const run = spawnSync(process.execPath, [MAIN, file, "--port", "0"], { encoding: "utf8", timeout: 15_000, killSignal: "SIGKILL" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${file}: mcpServers.__proto__: the server name "__proto__" is reserved`);
    expect(run.stderr).toContain(`${file}: mcpServers.constructor: the server name "constructor" is reserved`);
  });
});
