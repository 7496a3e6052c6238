import { hasCode, SwitchboardError } from "../jsonrpc/local-error.js";

/**
 * The error a caller sees when forwarding `method` to a backend failed for a
 * reason other than the backend's exit (that one needs its exit status; see
 * Backend). Each names who is at fault:
 * - the backend does not read its input (the transport refused to queue
 *   more): BACKEND_NOT_READING, and the request was never sent;
 * - the backend answered with a malformed response: BACKEND_INVALID_ANSWER;
 * - it did not answer in time: REQUEST_TIMEOUT in this backend's words;
 * - anything else, our own failures included (UNSERIALISABLE: our message
 *   could not be serialised), passes through unchanged, so that the backend
 *   is never blamed for it.
 */
export function explainForwardFailure(label: string, method: string, error: unknown, timeoutMs: number): unknown {
  if (hasCode(error, "OUTPUT_QUEUE_FULL")) {
    return new SwitchboardError(
      "BACKEND_NOT_READING",
      `${label} is not reading its input (${error.message.replace(/^.*? is not reading its input: /, "")}); ${method} was not sent. The server seems stuck: try again shortly, and check its logs if this persists`,
      { cause: error },
    );
  }
  if (hasCode(error, "INVALID_MESSAGE")) {
    return new SwitchboardError(
      "BACKEND_INVALID_ANSWER",
      `${label} answered ${method} with a malformed response (${error.message}); the call failed. This is a fault of that server: report it to its authors`,
      { cause: error },
    );
  }
  if (hasCode(error, "REQUEST_TIMEOUT")) {
    return new SwitchboardError(
      "REQUEST_TIMEOUT",
      `${label} did not answer ${method} within ${timeoutMs} ms; the call was cancelled (raise "timeout" for this server if it needs longer)`,
      { cause: error },
    );
  }
  return error;
}
