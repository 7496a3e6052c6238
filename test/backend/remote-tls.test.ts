import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend.js";
import type { HttpServerConfig } from "../../src/config/types.js";
import { fixtureBackend } from "../helpers/backend.js";
import { fixture } from "../helpers/paths.js";
import { httpServer } from "../helpers/remote.js";

// A certificate for 127.0.0.1 and localhost, self-signed at test time (so
// nothing expires in the repository): the server's certificate is its own CA.
let dir = "";
let hasOpenssl = true;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "switchboard-tls-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: "ignore" });
  } catch {
    hasOpenssl = false;
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children: ChildProcess[] = [];
const backends: Backend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.stop()));
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** The faults fixture over HTTPS with the self-signed certificate; resolves with its https:// URL. */
async function httpsFixture(): Promise<string> {
  const child = spawn(process.execPath, [fixture("remote-faults-backend"), "--tls-key", join(dir, "key.pem"), "--tls-cert", join(dir, "cert.pem")], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening (https:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the https fixture exited with ${code}: ${seen}`)));
  });
}

function remote(url: string, overrides: Partial<HttpServerConfig>) {
  const made = fixtureBackend("secure", httpServer(url, { startupTimeoutMs: 3000, ...overrides }));
  backends.push(made.backend);
  return made;
}

const text = (result: Record<string, unknown>) => (result["content"] as Array<{ text: string }>)[0]!.text;

describe("remote backends over HTTPS (a certificate made at test time)", () => {
  it("tls.ca trusting the server's certificate: it works, verification on", async (context) => {
    if (!hasOpenssl) return context.skip();
    const url = await httpsFixture();
    const { backend, logger } = remote(url, { tls: { caFile: join(dir, "cert.pem"), rejectUnauthorized: true } });
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(text(await backend.request("tools/call", { name: "echo", arguments: { over: "tls" } }))).toContain('"over":"tls"');
    expect(logger.lines.join("\n")).not.toMatch(/verification is off/);
  });

  it("without it: a clear error naming the server and the TLS failure, and no call goes through", async (context) => {
    if (!hasOpenssl) return context.skip();
    const url = await httpsFixture();
    const { backend } = remote(url, {});
    await backend.start().catch(() => undefined);
    expect(backend.state).not.toBe("ready");
    expect(backend.stats().lastError).toMatch(/failed TLS verification at https:\/\/127\.0\.0\.1:\d+\/mcp \(.*self-signed certificate.*\): trust the CA .*"tls": \{ "ca"/);
    await expect(backend.request("tools/call", { name: "echo", arguments: {} })).rejects.toThrow(/secure/);
  });

  it("rejectUnauthorized: false works, with a warning in the log", async (context) => {
    if (!hasOpenssl) return context.skip();
    const url = await httpsFixture();
    const { backend, logger } = remote(url, { tls: { rejectUnauthorized: false } });
    await backend.start();
    expect(backend.state).toBe("ready");
    expect(text(await backend.request("tools/call", { name: "echo", arguments: {} }))).toContain("echo");
    expect(logger.lines).toContainEqual(expect.stringMatching(/^warn: backend "secure": TLS certificate verification is off \(tls\.rejectUnauthorized: false\)/));
  });
});
