/** The reaper's process title, as `ps` and /proc/PID/cmdline show it. */
export const REAPER_TITLE = "mcp-switchboard-reaper";

/**
 * Source of the reaper, a standalone Node program run with `node -e`. It
 * reads lines from its stdin: `+PGID` registers a process group, `-PGID`
 * forgets it. When stdin ends — the switchboard closed it or died, whatever
 * way — it SIGKILLs every group still registered and exits.
 *
 * It is source text rather than a file beside this module so that it runs
 * the same from `dist/`, from `src/` under a test runner, and from a bundle
 * that vendored the package (where no sibling file exists). It uses nothing
 * but `process`. Ids of 1 or less are refused: `kill(-1)` would signal every
 * process we may signal.
 */
export const REAPER_SOURCE = `"use strict";
process.title = ${JSON.stringify(REAPER_TITLE)};
const groups = new Set();
let pending = "";
let reaped = false;
const reap = () => {
  if (reaped) return;
  reaped = true;
  for (const pgid of groups) {
    try { process.kill(-pgid, "SIGKILL"); } catch {}
  }
  process.exit(0);
};
process.stdin.setEncoding("latin1");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  let newline;
  while ((newline = pending.indexOf("\\n")) !== -1) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    if (!/^[+-][0-9]{1,10}$/.test(line)) continue;
    const pgid = Number(line.slice(1));
    if (pgid <= 1) continue;
    if (line[0] === "+") groups.add(pgid);
    else groups.delete(pgid);
  }
  if (pending.length > 64) pending = "";
});
process.stdin.on("end", reap);
process.stdin.on("close", reap);
process.stdin.on("error", reap);
`;
