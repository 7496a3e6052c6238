import { request } from "node:http";

/** A raw HTTP answer. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Send one HTTP request with exactly these headers (Host included, unlike fetch). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (chunk: Buffer) => parts.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** JSON headers a well-behaved legacy client sends. */
export function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...extra };
}

/** An initialize request body. */
export function initializeBody(id: number | string = 1, version = "2025-06-18"): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
}

/** Initialize a session over raw HTTP and return its id. */
export async function openSession(url: string, version = "2025-06-18"): Promise<string> {
  const res = await rawRequest(url, { method: "POST", headers: jsonHeaders(), body: initializeBody(1, version) });
  if (res.status !== 200) throw new Error(`initialize failed: ${res.status} ${res.body}`);
  const id = res.headers["mcp-session-id"];
  if (typeof id !== "string") throw new Error("no Mcp-Session-Id");
  await rawRequest(url, {
    method: "POST",
    headers: jsonHeaders({ "Mcp-Session-Id": id, "MCP-Protocol-Version": version }),
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  return id;
}
