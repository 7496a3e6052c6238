#!/usr/bin/env node
// A small MCP time server written with mcp-switchboard itself (no backends,
// two local tools, served on stdio), so the seed's `time` example runs
// without Python. Run: node examples/time-server.mjs
import { Switchboard } from "../dist/index.js";

const board = new Switchboard({ proxy: { enabled: false } }, {});

/** Wall-clock parts of `date` in `timeZone`. */
function partsIn(date, timeZone) {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    timeZoneName: "longOffset",
  });
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  const offset = parts.timeZoneName === "GMT" ? "+00:00" : parts.timeZoneName.replace("GMT", "");
  return { iso: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`, offset };
}

function checkZone(timeZone) {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw new Error(`Unknown timezone "${timeZone}": use an IANA name such as "Europe/London"`);
  }
}

board.tool(
  {
    name: "get_current_time",
    description: "Get the current time in a timezone (IANA name, default UTC).",
    inputSchema: {
      type: "object",
      properties: { timezone: { type: "string", description: "IANA timezone, e.g. Europe/London" } },
    },
  },
  ({ timezone = "UTC" }) => {
    checkZone(timezone);
    const { iso } = partsIn(new Date(), timezone);
    return { timezone, datetime: iso };
  },
);

board.tool(
  {
    name: "convert_time",
    description: "Convert a time of day (HH:MM, today) from one timezone to another.",
    inputSchema: {
      type: "object",
      properties: {
        source_timezone: { type: "string" },
        time: { type: "string", description: "24-hour HH:MM" },
        target_timezone: { type: "string" },
      },
      required: ["source_timezone", "time", "target_timezone"],
    },
  },
  ({ source_timezone, time, target_timezone }) => {
    checkZone(source_timezone);
    checkZone(target_timezone);
    const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time ?? "");
    if (!match) throw new Error(`Invalid time "${time}": use 24-hour HH:MM`);
    const now = new Date();
    const today = partsIn(now, source_timezone);
    const [sign, hh, mm] = [today.offset[0], today.offset.slice(1, 3), today.offset.slice(4, 6)];
    const offsetMinutes = (sign === "-" ? -1 : 1) * (Number(hh) * 60 + Number(mm));
    const day = today.iso.slice(0, 10);
    const utc = Date.parse(`${day}T${match[1]}:${match[2]}:00Z`) - offsetMinutes * 60_000;
    const instant = new Date(utc);
    return {
      source: { timezone: source_timezone, datetime: partsIn(instant, source_timezone).iso },
      target: { timezone: target_timezone, datetime: partsIn(instant, target_timezone).iso },
    };
  },
);

await board.run({ transport: "stdio" });
