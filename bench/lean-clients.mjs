// Lean benchmark clients: raw JSON-RPC over stdio (one pipelined connection)
// and over Streamable HTTP (node:http keep-alive, one session). No SDK, so the
// numbers measure the server side, not the client.
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";

const INIT = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "bench", version: "1" },
};

/** A pipelined NDJSON client on a spawned process's stdin/stdout. */
/** The modern era's version and the `_meta` every modern request of the bench client carries. */
const MODERN_VERSION = "2026-07-28";
const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

export class StdioClient {
  constructor(command, args) {
    this.proc = spawn(command, args, { stdio: ["pipe", "pipe", "ignore"] });
    this.pending = new Map();
    this.nextId = 1;
    let partial = "";
    this.proc.stdout.setEncoding("utf8");
    this.proc.stdout.on("data", (chunk) => {
      partial += chunk;
      let newline;
      while ((newline = partial.indexOf("\n")) !== -1) {
        const line = partial.slice(0, newline);
        partial = partial.slice(newline + 1);
        if (line.trim() === "") continue;
        const message = JSON.parse(line);
        const waiter = this.pending.get(message.id);
        if (waiter) {
          this.pending.delete(message.id);
          if (message.error) waiter.reject(new Error(message.error.message));
          else waiter.resolve(message.result);
        }
      }
    });
  }

  get pid() {
    return this.proc.pid;
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  }

  async initialize() {
    await this.request("initialize", INIT);
    this.proc.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
  }

  callTool(name, args) {
    return this.request("tools/call", { name, arguments: args });
  }

  async close() {
    this.proc.stdin.end();
    const exited = new Promise((resolve) => this.proc.once("exit", resolve));
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/** Parse an HTTP MCP answer: application/json, or SSE whose last data line is the response. */
function parseAnswer(contentType, body) {
  if ((contentType ?? "").includes("text/event-stream")) {
    const data = body.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).filter(Boolean);
    for (let i = data.length - 1; i >= 0; i--) {
      const message = JSON.parse(data[i]);
      if ("result" in message || "error" in message) return message;
    }
    throw new Error(`no response in SSE body: ${body.slice(0, 200)}`);
  }
  return JSON.parse(body);
}

/** A Streamable HTTP client with one session and a keep-alive agent. */
export class HttpClient {
  /**
   * `modern`: speak 2026-07-28 — no initialize and no session; every request
   * carries its version, client info and capabilities in `_meta` and the
   * mirrored headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name).
   */
  constructor(url, maxSockets = 256, { modern = false } = {}) {
    this.url = new URL(url);
    this.agent = new Agent({ keepAlive: true, maxSockets });
    this.session = undefined;
    this.nextId = 1;
    this.modern = modern;
  }

  post(message) {
    const headers = {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": this.modern ? MODERN_VERSION : INIT.protocolVersion,
    };
    if (this.session) headers["Mcp-Session-Id"] = this.session;
    if (this.modern && message.id !== undefined) {
      message = { ...message, params: { ...message.params, _meta: MODERN_META } };
      headers["Mcp-Method"] = message.method;
      if (message.method === "tools/call") headers["Mcp-Name"] = message.params.name;
    }
    const body = JSON.stringify(message);
    headers["Content-Length"] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.url.hostname, port: this.url.port, path: this.url.pathname, method: "POST", headers, agent: this.agent },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => {
            if (res.headers["mcp-session-id"]) this.session = res.headers["mcp-session-id"];
            if (res.statusCode === 202) return resolve(undefined);
            if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
            try {
              const answer = parseAnswer(res.headers["content-type"], text);
              if (answer.error) reject(new Error(answer.error.message));
              else resolve(answer.result);
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  async initialize() {
    if (this.modern) {
      await this.post({ jsonrpc: "2.0", id: this.nextId++, method: "server/discover", params: {} });
      return;
    }
    await this.post({ jsonrpc: "2.0", id: this.nextId++, method: "initialize", params: INIT });
    await this.post({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  request(method, params) {
    return this.post({ jsonrpc: "2.0", id: this.nextId++, method, params });
  }

  callTool(name, args) {
    return this.request("tools/call", { name, arguments: args });
  }

  async close() {
    this.agent.destroy();
  }
}
