import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN } from "./paths.js";

/** Write a config object to a fresh temp file and return its path. */
export function writeConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-test-"));
  const file = join(dir, "config.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** A switchboard CLI process under test. */
export interface SwitchboardProcess {
  proc: ChildProcessWithoutNullStreams;
  /** The MCP endpoint URL (HTTP mode). */
  url: string;
  /** stderr so far, line by line. */
  stderr: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** Resolves when a stderr line matches. */
  waitForLog(pattern: RegExp, ms?: number): Promise<string>;
}

/** Spawn `node dist/main.js <config> --port 0 …` and wait for its "listening on" line. */
export async function startHttpSwitchboard(configPath: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<SwitchboardProcess> {
  const proc = spawn(process.execPath, [MAIN, configPath, "--port", "0", ...extraArgs], { stdio: ["pipe", "pipe", "pipe"], env });
  const handle = wrap(proc);
  try {
    const line = await handle.waitForLog(/listening on (http:\/\/\S+)/, 20_000);
    handle.url = /listening on (http:\/\/\S+)/.exec(line)![1]!;
  } catch (error) {
    // A switchboard that never said it was listening must not outlive the test.
    proc.kill("SIGKILL");
    throw error;
  }
  return handle;
}

/** Wrap a spawned CLI process: collect stderr, expose exit. */
export function wrap(proc: ChildProcessWithoutNullStreams): SwitchboardProcess {
  const stderr: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let partial = "";
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (chunk: string) => {
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      stderr.push(line);
      if (process.env["SWITCHBOARD_TEST_VERBOSE"]) process.stderr.write(`[sb ${proc.pid}] ${line}\n`);
      for (const watcher of [...watchers]) {
        if (watcher.pattern.test(line)) {
          watchers.splice(watchers.indexOf(watcher), 1);
          watcher.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const handle: SwitchboardProcess = {
    proc,
    url: "",
    stderr,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      return exited;
    },
    waitForLog(pattern, ms = 10_000) {
      const seen = stderr.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no stderr line matching ${pattern} within ${ms} ms; stderr:\n${stderr.join("\n")}`)), ms);
        watchers.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`switchboard exited before a stderr line matched ${pattern}; stderr:\n${stderr.join("\n")}`));
        });
      });
    },
  };
  return handle;
}
