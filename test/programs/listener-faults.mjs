#!/usr/bin/env node
// An embedding whose own listeners misbehave: a change subscriber that
// throws, and a local tool whose abort listeners throw when the client
// cancels. Served on stdio; no uncaughtException handler of its own, so an
// escaped exception ends the process.
import { Switchboard } from "../../dist/index.js";

const board = new Switchboard({ servers: {} });
let subscriberCalls = 0;
board.router.events.on("catalogChanged", () => {
  throw new Error("subscriber broke");
});
board.router.events.on("catalogChanged", (kind) => {
  if (kind === "tools") subscriberCalls++;
});
board.tool({ name: "wait_for_cancel", description: "Answers once cancelled" }, (_args, { signal }) => {
  signal.addEventListener("abort", () => {
    throw new Error("abort listener broke");
  });
  signal.onabort = () => {
    throw new Error("onabort broke");
  };
  signal.addEventListener("abort", async () => {
    throw new Error("async abort listener broke");
  });
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve("cancelled"), { once: true }));
});
board.tool({ name: "add_tool", description: "Registers another tool (a catalog change)" }, () => {
  board.tool({ name: `extra_${subscriberCalls}_${Date.now()}` }, () => "extra");
  return "added";
});
board.tool({ name: "subscriber_calls", description: "How often the well-behaved subscriber ran" }, () => String(subscriberCalls));
const front = await board.run({ transport: "stdio" });
await front.closed;
await board.close();
