import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { exposedName } from "../../src/mcp/naming.js";
import { ROOT } from "../helpers/paths.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The text of one `###` or `##` section of the README, up to the next heading. */
function section(title: string): string {
  const start = README.indexOf(`${title}\n`);
  if (start === -1) throw new Error(`README has no section "${title}"`);
  const rest = README.slice(start + title.length + 1);
  const end = rest.search(/^#{2,3} /m);
  return end === -1 ? rest : rest.slice(0, end);
}

/** The JSON code blocks of a piece of README text, parsed. */
function jsonBlocks(text: string): unknown[] {
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!) as unknown);
}

/** What Claude Desktop, Cursor and OpenAI-style function calling accept as a tool name. */
const STRICT_CLIENT_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

describe("README config snippets", () => {
  it("the Claude Desktop / Cursor section gives a switchboard config whose tool names those clients accept", () => {
    const blocks = jsonBlocks(section("### With Claude Desktop, Cursor and other stdio clients"));
    const configs = blocks.filter((block) => typeof block === "object" && block !== null && "proxy" in block);
    expect(configs.length).toBe(1);
    const { config, warnings } = parseConfig(configs[0], {});
    expect(warnings).toEqual([]);
    expect(Object.keys(config.servers).length).toBeGreaterThan(0);
    expect(config.proxy.maxNameLength ?? Infinity).toBeLessThanOrEqual(64);
    const policy = { namespace: config.proxy.namespace, separator: config.proxy.separator };
    for (const server of Object.keys(config.servers)) {
      const name = exposedName(policy, server, "get_current_time");
      expect({ name, accepted: STRICT_CLIENT_NAME.test(name) }).toEqual({ name, accepted: true });
    }
  });

  it("every switchboard config in the Config section is valid", () => {
    for (const block of jsonBlocks(section("## Config"))) {
      expect(() => parseConfig(block, { HOME: "/home/me", CONFIG_DIR: "/etc/switchboard" })).not.toThrow();
    }
  });
});
