import type { JsonRpcMessage } from "../../src/jsonrpc/message.js";
import type { Transport } from "../../src/jsonrpc/transport.js";

/** A transport a test drives by hand: it records what is sent, and the test calls onmessage itself. */
export class HandTransport implements Transport {
  onmessage?: Transport["onmessage"];
  onclose?: Transport["onclose"];
  sent: JsonRpcMessage[] = [];
  async start(): Promise<void> {}
  async send(message: JsonRpcMessage): Promise<void> {
    this.sent.push(message);
  }
  async close(): Promise<void> {
    this.onclose?.();
  }
}
