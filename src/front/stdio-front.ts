import type { Readable, Writable } from "node:stream";
import { JsonRpcPeer } from "../jsonrpc/peer.js";
import type { Logger } from "../log/logger.js";
import { NdjsonStreamTransport } from "../transport/ndjson-stream-transport.js";
import type { Gateway } from "../gateway/gateway.js";
import { FrontSession, newClientContext } from "../gateway/front-session.js";

/** A running stdio front. */
export interface StdioFront {
  /** Resolves when the client closed its input (or close() was called). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serve one client over a byte-stream pair (our stdin/stdout): only protocol
 * messages go to `output`; invalid input is answered with a JSON-RPC error.
 */
export async function serveStdio(
  gateway: Gateway,
  logger: Logger,
  options: { input: Readable; output: Writable; maxMessageBytes: number; maxBufferedBytes?: number },
): Promise<StdioFront> {
  const transport = new NdjsonStreamTransport(options.input, options.output, {
    maxMessageBytes: options.maxMessageBytes,
    endOutputOnClose: false,
    pauseInputWhileOutputFull: true,
    // What waits for our client is bounded by the peer's concurrency, and a
    // slow reader must still get every answer: no refusals here.
    maxQueuedBytes: Number.POSITIVE_INFINITY,
    ...(options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes }),
  });
  const peer = new JsonRpcPeer(transport, {
    label: "stdio client",
    answerInvalid: true,
    onWarning: (message) => logger.warn(message),
  });
  const session = new FrontSession(gateway, peer, newClientContext("stdio"));
  const closed = new Promise<void>((resolve) => {
    const previous = peer.onclose;
    peer.onclose = (reason) => {
      previous?.(reason);
      resolve();
    };
  });
  await peer.start();
  return {
    closed,
    close: async () => {
      await session.endListens();
      session.dispose();
      await peer.close();
    },
  };
}
