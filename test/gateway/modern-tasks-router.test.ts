import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import { ModernTaskRouter } from "../../src/gateway/modern-tasks.js";
import { CallContext, type ClientContext } from "../../src/gateway/request-context.js";
import { Cancellation } from "../../src/jsonrpc/cancellation.js";
import { JsonRpcError } from "../../src/jsonrpc/errors.js";
import { DEFAULT_URI_MAPPING } from "../../src/mcp/uri-mapping.js";

/** The router's table: bounded, expiring with ttlMs, reachable only by our ids. */

const backend = { name: "b", prefixed: false, config: { isolation: "shared" } } as unknown as Backend;
const gateway = { exposure: { uris: DEFAULT_URI_MAPPING }, activity: 0, backend: (name: string) => (name === "b" ? backend : undefined) } as unknown as Gateway;

function context(): CallContext {
  const client: ClientContext = { id: "c", front: "http", era: "modern", protocolVersion: "2026-07-28", clientInfo: undefined, capabilities: { extensions: { "io.modelcontextprotocol/tasks": {} } }, initialized: true };
  return new CallContext(client, 1, new Cancellation(), undefined, async () => undefined, () => undefined);
}

const created = (taskId: string, ttlMs: number | null = 60_000) => ({ resultType: "task", taskId, status: "working", ttlMs });

describe("ModernTaskRouter table", () => {
  it("holds at most maxTasks tasks (the oldest make room)", () => {
    const router = new ModernTaskRouter(gateway, { maxTasks: 3 });
    const ours = Array.from({ length: 10 }, (_, i) => router.adopt(backend, created(`t${i}`))["taskId"]);
    expect(new Set(ours).size).toBe(10);
    expect(router.table.size).toBe(3);
  });

  it("a task expires with its ttlMs: then its id is -32602 without asking the backend", async () => {
    let now = 1000;
    const router = new ModernTaskRouter(gateway, { now: () => now });
    const { taskId } = router.adopt(backend, created("t", 500)) as { taskId: string };
    now += 600;
    const error = (() => {
      try {
        void router.get({ taskId }, context());
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(JsonRpcError);
    expect((error as JsonRpcError).code).toBe(-32602);
    expect(router.table.size).toBe(0);
  });

  it("the backend's own task id is not ours: -32602", () => {
    const router = new ModernTaskRouter(gateway);
    router.adopt(backend, created("backend-id"));
    expect(() => router.cancel({ taskId: "backend-id" }, context())).toThrow(/Unknown task/);
  });
});
