import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/log/logger.js";

// Count the collectors made: the real one turns on --expose-gc for the whole
// process at its first quiet spell, which a test cannot wait for cheaply.
const made = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../src/runtime/idle-collector.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/runtime/idle-collector.js")>();
  class CountedCollector extends real.IdleCollector {
    constructor(...args: ConstructorParameters<typeof real.IdleCollector>) {
      super(...args);
      made.count++;
    }
  }
  return { ...real, IdleCollector: CountedCollector };
});

const { Switchboard } = await import("../../src/switchboard.js");
const boards: Array<InstanceType<typeof Switchboard>> = [];
afterEach(async () => {
  for (const board of boards.splice(0)) await board.close();
  made.count = 0;
});

async function serve(options: { idleGc?: boolean }): Promise<void> {
  const board = new Switchboard({ servers: {} }, { logger: silentLogger, ...options });
  boards.push(board);
  await board.run({ transport: "stdio", input: new PassThrough(), output: new PassThrough() });
}

describe("idle collector default", () => {
  it("is off for an embedded Switchboard unless asked", async () => {
    await serve({});
    expect(made.count).toBe(0);
  });

  it("is on when asked (as the CLI does)", async () => {
    await serve({ idleGc: true });
    expect(made.count).toBe(1);
  });
});
