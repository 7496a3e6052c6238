// The stdio floor for any stdio front: a process that relays bytes between
// its own stdin/stdout and one child's, without reading a single message.
// Whatever a stdio gateway does, it cannot beat this hop.
import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.once("exit", (code) => process.exit(code ?? 1));
process.stdin.once("end", () => child.stdin.end());
