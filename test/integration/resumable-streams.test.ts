import { request, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { fixture } from "../helpers/paths.js";
import { jsonHeaders, openSession, rawRequest } from "../helpers/raw-http.js";
import { startHttpSwitchboard, writeConfig, type SwitchboardProcess } from "../helpers/switchboard-process.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const LATEST = "2025-11-25";

async function started(resume: Record<string, number> = {}): Promise<SwitchboardProcess> {
  const config = writeConfig({
    servers: {
      echo: { type: "stdio", command: process.execPath, args: [fixture("echo-backend")] },
      flood: { type: "stdio", command: process.execPath, args: [fixture("flood-backend")] },
    },
    server: { resume: { retry: 50, ...resume } },
  });
  const sb = await startHttpSwitchboard(config);
  cleanups.push(() => sb.stop());
  return sb;
}

/** One parsed SSE event. */
interface SseEvent {
  id?: string;
  retry?: number;
  data: string;
}

/** An SSE response read event by event. */
interface SseReader {
  status: number;
  contentType: string | undefined;
  events: SseEvent[];
  /** Resolves once `count` events arrived. */
  waitFor(count: number): Promise<void>;
  /** Resolves when the server ended the response. */
  ended: Promise<void>;
  /** Cut the connection (the network dropped). */
  cut(): void;
  /** The body of a non-SSE answer. */
  body(): Promise<string>;
}

function parseEvent(block: string): SseEvent {
  const event: SseEvent = { data: "" };
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") event.id = value;
    else if (field === "retry") event.retry = Number(value);
    else if (field === "data") data.push(value);
  }
  event.data = data.join("\n");
  return event;
}

function openSse(url: string, method: "GET" | "POST", headers: Record<string, string>, body?: string): Promise<SseReader> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method, headers, agent: false }, (res: IncomingMessage) => {
      const events: SseEvent[] = [];
      const waiters: Array<{ count: number; resolve: () => void }> = [];
      let buffer = "";
      let raw = "";
      const ended = new Promise<void>((done) => res.once("close", () => done()));
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.split("\n").every((line) => line.startsWith(":"))) continue; // keep-alive comment
          events.push(parseEvent(block));
        }
        for (const waiter of [...waiters]) if (events.length >= waiter.count) waiters.splice(waiters.indexOf(waiter), 1) && waiter.resolve();
      });
      res.on("error", () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        contentType: res.headers["content-type"],
        events,
        waitFor: (count) => (events.length >= count ? Promise.resolve() : new Promise((done) => waiters.push({ count, resolve: done }))),
        ended,
        cut: () => req.destroy(),
        body: () => ended.then(() => raw),
      });
    });
    req.on("error", (error) => (error.message.includes("socket hang up") ? undefined : reject(error)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const messages = (events: SseEvent[]): Array<{ id?: number; method?: string; params?: { progressToken?: string; progress?: number }; result?: { content: Array<{ text: string }> } }> =>
  events.filter((e) => e.data !== "").map((e) => JSON.parse(e.data));

function progressCall(id: number, token: string, steps: number): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "proxy.echo.progress", arguments: { steps }, _meta: { progressToken: token } } });
}

function sessionHeaders(session: string, version = LATEST, extra: Record<string, string> = {}): Record<string, string> {
  return jsonHeaders({ "Mcp-Session-Id": session, "MCP-Protocol-Version": version, ...extra });
}

function resumeHeaders(session: string, lastEventId: string, version = LATEST): Record<string, string> {
  return { Accept: "text/event-stream", "Mcp-Session-Id": session, "MCP-Protocol-Version": version, "Last-Event-ID": lastEventId };
}

describe("resumable SSE streams, raw HTTP", () => {
  it("a 2025-11-25 POST stream starts with a priming event (id, retry, empty data) and every event has an id", async () => {
    const sb = await started();
    const session = await openSession(sb.url, LATEST);
    const post = await openSse(sb.url, "POST", sessionHeaders(session), progressCall(1, "t", 3));
    await post.ended;
    expect(post.contentType).toBe("text/event-stream");
    expect(post.events[0]).toEqual({ id: expect.stringMatching(/^r\d+-0$/), retry: 50, data: "" });
    expect(post.events.every((e) => typeof e.id === "string")).toBe(true);
    expect(new Set(post.events.map((e) => e.id)).size).toBe(post.events.length);
    expect(messages(post.events).at(-1)?.result?.content[0]?.text).toBe("done 3");
  });

  it("a session that negotiated 2025-06-18 gets ids but no priming event (even when a request says 2025-11-25)", async () => {
    const sb = await started();
    const session = await openSession(sb.url, "2025-06-18");
    const post = await openSse(sb.url, "POST", sessionHeaders(session, "2025-11-25"), progressCall(1, "t", 2));
    await post.ended;
    expect(post.events[0]!.data).not.toBe("");
    expect(post.events.some((e) => e.retry !== undefined)).toBe(false);
    expect(post.events.every((e) => /^r\d+-[1-9]\d*$/.test(e.id ?? ""))).toBe(true);
  });

  it("a POST stream cut after its first progress is resumed by GET + Last-Event-ID: the rest of its events, its result, then the end", async () => {
    const sb = await started();
    const session = await openSession(sb.url, LATEST);
    const post = await openSse(sb.url, "POST", sessionHeaders(session), progressCall(7, "cut", 30));
    await post.waitFor(2); // priming + first progress
    post.cut();
    const last = post.events[1]!.id!;
    expect(messages(post.events)[0]?.params?.progress).toBe(1);
    const resumed = await openSse(sb.url, "GET", resumeHeaders(session, last));
    expect(resumed.status).toBe(200);
    await resumed.ended;
    const got = messages(resumed.events);
    const progress = got.filter((m) => m.method === "notifications/progress").map((m) => m.params!.progress);
    expect(progress).toEqual(Array.from({ length: 29 }, (_, i) => i + 2));
    expect(got.at(-1)).toMatchObject({ id: 7, result: { content: [{ text: "done 30" }] } });
    // The backend's call was not cancelled by the cut.
    expect(sb.stderr.some((line) => /\[echo\] cancelled/.test(line))).toBe(false);
    // The stream is over once delivered: its id names nothing to resume any more.
    const again = await rawRequest(sb.url, { headers: resumeHeaders(session, last) });
    expect(again.status).toBe(400);
    expect(again.body).toMatch(/is over/);
  });

  it("two cut streams each resume with their own events only; the standalone GET stream sees neither", async () => {
    const sb = await started();
    const session = await openSession(sb.url, LATEST);
    const standalone = await openSse(sb.url, "GET", { Accept: "text/event-stream", "Mcp-Session-Id": session, "MCP-Protocol-Version": LATEST });
    const a = await openSse(sb.url, "POST", sessionHeaders(session), progressCall(1, "a", 10));
    const b = await openSse(sb.url, "POST", sessionHeaders(session), progressCall(2, "b", 10));
    await Promise.all([a.waitFor(2), b.waitFor(2)]);
    a.cut();
    b.cut();
    expect(a.events[1]!.id!.split("-")[0]).not.toBe(b.events[1]!.id!.split("-")[0]);
    const [ra, rb] = await Promise.all([openSse(sb.url, "GET", resumeHeaders(session, a.events[1]!.id!)), openSse(sb.url, "GET", resumeHeaders(session, b.events[1]!.id!))]);
    await Promise.all([ra.ended, rb.ended]);
    const ma = messages(ra.events);
    const mb = messages(rb.events);
    expect(ma.filter((m) => m.method).every((m) => m.params?.progressToken === "a")).toBe(true);
    expect(mb.filter((m) => m.method).every((m) => m.params?.progressToken === "b")).toBe(true);
    expect(ma.at(-1)?.id).toBe(1);
    expect(mb.at(-1)?.id).toBe(2);
    expect(ma.filter((m) => m.id !== undefined)).toHaveLength(1);
    expect(mb.filter((m) => m.id !== undefined)).toHaveLength(1);
    // The standalone stream carries what belongs to no request (tools/list_changed as backends start), none of theirs.
    expect(messages(standalone.events).filter((m) => m.id !== undefined || m.method === "notifications/progress")).toEqual([]);
    expect(standalone.events[0]).toEqual({ id: expect.stringMatching(/^g\d+-0$/), retry: 50, data: "" });
    standalone.cut();
  });

  it("Last-Event-ID: not ours → 400; a request stream never seen → 400; a standalone stream no longer kept → a fresh stream", async () => {
    const sb = await started();
    const session = await openSession(sb.url, LATEST);
    const garbage = await rawRequest(sb.url, { headers: resumeHeaders(session, "not-an-id") });
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatch(/not an event id of this server/);
    const unknown = await rawRequest(sb.url, { headers: resumeHeaders(session, "r999-3") });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatch(/send the request again/);
    const fresh = await openSse(sb.url, "GET", resumeHeaders(session, "g999-3"));
    expect(fresh.status).toBe(200);
    await fresh.waitFor(1);
    expect(fresh.events[0]!.id).toMatch(/^g\d+-0$/);
    fresh.cut();
  });

  it("a stream nobody resumes within the window expires: its call is cancelled and its id is refused", async () => {
    const sb = await started({ window: 300 });
    const session = await openSession(sb.url, LATEST);
    const post = await openSse(sb.url, "POST", sessionHeaders(session), JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "proxy.echo.progress", arguments: { steps: 1000 }, _meta: { progressToken: "x" } } }));
    await post.waitFor(2);
    post.cut();
    await sb.waitForLog(/\[echo\] cancelled \d+/, 5000);
    const late = await rawRequest(sb.url, { headers: resumeHeaders(session, post.events[1]!.id!) });
    expect(late.status).toBe(400);
  });

  it("what a cut stream keeps is bounded: a flood of progress while nobody reads leaves the result and at most bufferBytes of events", async () => {
    const BUFFER = 64 * 1024;
    const sb = await started({ bufferBytes: BUFFER });
    const session = await openSession(sb.url, LATEST);
    const call = JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "proxy.flood.flood", arguments: { count: 5000, bytes: 1024 }, _meta: { progressToken: "f" } } });
    const post = await openSse(sb.url, "POST", sessionHeaders(session), call);
    await post.waitFor(2);
    post.cut();
    await sb.waitForLog(/\[flood\] flooded 5000/, 20_000);
    const resumed = await openSse(sb.url, "GET", resumeHeaders(session, post.events[1]!.id!));
    const raw = await resumed.body();
    const got = messages(resumed.events);
    expect(got.at(-1)).toMatchObject({ id: 3, result: { content: [{ text: "flooded 5000" }] } });
    expect(raw.length).toBeLessThan(BUFFER + 4096);
    const progress = got.filter((m) => m.method === "notifications/progress").map((m) => m.params!.progress!);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(5000); // the newest are kept, the oldest let go
  });
});

describe("resumable SSE streams, the official SDK client", () => {
  /**
   * A fetch that cuts the first SSE answer to a POST after its first
   * progress event, as a dropped network would: the client must resume.
   */
  function cuttingFetch(): typeof fetch {
    let cut = false;
    return async (input, init) => {
      const response = await fetch(input, init);
      if (cut || init?.method !== "POST" || !response.headers.get("content-type")?.includes("text/event-stream") || response.body === null) return response;
      cut = true;
      const reader = response.body.getReader();
      let seen = "";
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) return controller.close();
          seen += new TextDecoder().decode(value);
          const end = seen.indexOf("notifications/progress");
          if (end !== -1 && seen.indexOf("\n\n", end) !== -1) {
            controller.enqueue(new TextEncoder().encode(seen.slice(0, seen.indexOf("\n\n", end) + 2)));
            await reader.cancel();
            controller.error(new Error("network dropped"));
            return;
          }
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
  }

  async function sdkClient(url: string, fetchFn: typeof fetch): Promise<Client> {
    const client = new Client({ name: "resume-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: fetchFn, reconnectionOptions: { initialReconnectionDelay: 50, maxReconnectionDelay: 200, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 } }));
    cleanups.push(() => client.close());
    return client;
  }

  it("a tool call whose POST stream drops after the first progress still gets its result, through GET + Last-Event-ID", async () => {
    const sb = await started();
    const client = await sdkClient(sb.url, cuttingFetch());
    const progress: number[] = [];
    const result = await client.callTool({ name: "proxy.echo.progress", arguments: { steps: 20 } }, undefined, { onprogress: (p) => void progress.push(p.progress), timeout: 10_000 });
    expect(result.content).toEqual([{ type: "text", text: "done 20" }]);
    expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("SSE polling: the server closes each connection after maxConnectionDuration; the client comes back until the result", async () => {
    const sb = await started({ maxConnectionDuration: 100 });
    const gets: string[] = [];
    const client = await sdkClient(sb.url, (input, init) => {
      const headers = new Headers(init?.headers);
      if (init?.method === "GET" && headers.get("last-event-id")) gets.push(headers.get("last-event-id")!);
      return fetch(input, init);
    });
    const progress: number[] = [];
    const result = await client.callTool({ name: "proxy.echo.progress", arguments: { steps: 40 } }, undefined, { onprogress: (p) => void progress.push(p.progress), timeout: 10_000 });
    expect(result.content).toEqual([{ type: "text", text: "done 40" }]);
    // The POST stream was resumed (the standalone GET stream is polled too: g… ids).
    expect(gets.some((id) => /^r\d+-\d+$/.test(id))).toBe(true);
    expect(gets.every((id) => /^[rg]\d+-\d+$/.test(id))).toBe(true);
    expect(progress).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
