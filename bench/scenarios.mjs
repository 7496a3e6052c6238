// Switchboard-only measurements: time to ready with many backends, and
// tools/list latency with 10,000 aggregated tools.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Switchboard } from "../dist/index.js";
import { HttpClient } from "./lean-clients.mjs";
import { median, until } from "./measure.mjs";
import { ECHO, ROOT, spawnServer, stopServer, switchboardConfig } from "./targets.mjs";

const MAIN = join(ROOT, "dist/main.js");
const ECHO_TOOLS = 11;

/**
 * Time from spawning the CLI with `count` echo backends to the first HTTP
 * tools/list that shows all their tools; plus, in-process, how long start()
 * takes against the slowest backend's own spawn-to-ready time.
 */
export async function readiness(count) {
  const backends = Object.fromEntries(Array.from({ length: count }, (_, i) => [`b${i}`, [ECHO]]));
  const t0 = performance.now();
  const { proc, url } = spawnServer(process.execPath, [MAIN, switchboardConfig(backends), "--port", "0"]);
  const client = new HttpClient(await url);
  let firstFullList = NaN;
  try {
    await until(async () => {
      if (!client.session) await client.initialize();
      const listed = await client.request("tools/list", {});
      return listed.tools.length === count * ECHO_TOOLS;
    }, 60_000, 5);
    firstFullList = performance.now() - t0;
  } finally {
    await client.close();
    await stopServer(proc);
  }

  const board = new Switchboard(
    { logLevel: "error", servers: Object.fromEntries(Object.entries(backends).map(([name, args]) => [name, { type: "stdio", command: process.execPath, args }])) },
    { idleGc: false },
  );
  const s0 = performance.now();
  await board.start();
  const allReady = performance.now() - s0;
  const starts = board.getProxyStats().backends.map((backend) => backend.startMs ?? NaN);
  await board.close();
  const slowest = Math.max(...starts);
  return {
    backends: count,
    firstFullListMs: firstFullList,
    allReadyMs: allReady,
    slowestBackendStartMs: slowest,
    overheadMs: allReady - slowest,
    spawnLoopMs: await spawnLoop(count),
  };
}

/**
 * The floor under "overhead": how long a bare loop of `count`
 * child_process.spawn calls takes on this machine while the children boot
 * (each spawn waits until its child has exec'd, and the booting children
 * compete for the same cores). No switchboard involved.
 */
async function spawnLoop(count) {
  const children = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    children.push(spawn(process.execPath, [ECHO], { stdio: ["pipe", "pipe", "ignore"], detached: true, env: { PATH: process.env.PATH ?? "" } }));
  }
  const elapsed = performance.now() - t0;
  await Promise.all(
    children.map((child) => {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      return gone;
    }),
  );
  return elapsed;
}

/** Median tools/list latency through the HTTP front with `backends` × `perBackend` tools. */
export async function bigList(backends = 10, perBackend = 1000, samples = 20) {
  const args = [join(ROOT, "fixtures/many-tools-backend.mjs"), "--count", String(perBackend), "--page-size", "500"];
  const config = switchboardConfig(Object.fromEntries(Array.from({ length: backends }, (_, i) => [`m${i}`, args])));
  const { proc, url } = spawnServer(process.execPath, [MAIN, config, "--port", "0"]);
  const client = new HttpClient(await url);
  try {
    await client.initialize();
    await until(async () => (await client.request("tools/list", {})).tools.length === backends * perBackend, 60_000, 20);
    for (let i = 0; i < 5; i++) await client.request("tools/list", {});
    const times = [];
    const parses = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const listed = await client.request("tools/list", {});
      times.push(performance.now() - t0);
      if (listed.tools.length !== backends * perBackend) throw new Error("tool count changed");
      // The client's own share: parsing a body of the same size and shape.
      const text = JSON.stringify({ jsonrpc: "2.0", id: i, result: listed });
      const p0 = performance.now();
      JSON.parse(text);
      parses.push(performance.now() - p0);
    }
    return { tools: backends * perBackend, medianMs: median(times), maxMs: Math.max(...times), clientParseMs: median(parses) };
  } finally {
    await client.close();
    await stopServer(proc);
  }
}
