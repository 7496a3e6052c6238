import { Writable } from "node:stream";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { SessionTransport } from "../../../src/front/http/session-transport.js";
import type { ResumeLimits } from "../../../src/front/http/resumable-stream.js";

/** A response stand-in that records what is written. */
function sink(): { res: ServerResponse; written: () => string; destroy: () => void } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { res: stream as unknown as ServerResponse, written: () => text, destroy: () => void stream.destroy() };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const limits = (over: Partial<ResumeLimits> = {}): ResumeLimits => ({ bufferBytes: 4096, sessionBufferBytes: 8192, retryMs: 100, windowMs: 60_000, maxConnectionMs: 0, ...over });
const noHooks = { onShed: () => undefined, onExpire: () => undefined };

describe("resumable streams of one session", () => {
  it("a finished stream resumed on a new connection replays after the given event and ends; the session then keeps nothing", async () => {
    const transport = new SessionTransport({ resume: limits(), primes: () => true });
    const stream = transport.openRequestStream(noHooks);
    const first = sink();
    stream.attach(first.res);
    void stream.push('{"n":1}', "message");
    await turn();
    expect(first.written()).toMatch(/^id: r1-0\nretry: 100\ndata: \n\nid: r1-1\nevent: message\ndata: \{"n":1\}\n\n$/);
    first.destroy();
    await turn();
    void stream.push('{"n":2}', "advisory");
    void stream.push('{"id":1}', "response");
    stream.finish();
    expect(transport.streamCount).toBe(1);
    const second = sink();
    const target = transport.streamForGet("r1-1");
    expect("stream" in target && target.after).toBe(1);
    if (!("stream" in target)) return;
    target.stream.attach(second.res, target.after);
    await turn();
    expect(second.written()).toBe('retry: 100\n\nid: r1-2\nevent: message\ndata: {"n":2}\n\nid: r1-3\nevent: message\ndata: {"id":1}\n\n');
    await turn();
    expect(transport.streamCount).toBe(0);
    expect(transport.keptBytes).toBe(0);
  });

  it("over the session's bound, streams without a connection are let go of, longest unresumed first, and told they expired", async () => {
    const transport = new SessionTransport({ resume: limits(), primes: () => false });
    const expired: number[] = [];
    const streams = [1, 2, 3].map((n) => {
      const stream = transport.openRequestStream({ onShed: () => undefined, onExpire: () => void expired.push(n) });
      const connection = sink();
      stream.attach(connection.res);
      connection.destroy();
      return stream;
    });
    await turn();
    for (const stream of streams) void stream.push(`{"r":"${"x".repeat(3000)}"}`, "response");
    expect(expired).toEqual([1]);
    expect(transport.keptBytes).toBeLessThanOrEqual(8192);
    expect(transport.streamForGet("r1-0")).toMatchObject({ refusal: { status: 400 } });
    await transport.close();
    expect(transport.keptBytes).toBe(0);
    expect(transport.streamCount).toBe(0);
  });
});
