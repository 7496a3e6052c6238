import { SwitchboardError } from "./local-error.js";

/**
 * Why a request could not be sent, with the right code: a local error from
 * the transport keeps its own (a peer not reading: OUTPUT_QUEUE_FULL); what
 * JSON.stringify throws (TypeError, RangeError) while the connection is open
 * is our own message that cannot be written (UNSERIALISABLE); anything else
 * is a connection that is gone.
 */
export function sendFailure(label: string, method: string, error: unknown, closed: boolean): SwitchboardError {
  if (error instanceof SwitchboardError && error.code !== "CONNECTION_CLOSED") return error;
  if (!closed && (error instanceof TypeError || error instanceof RangeError)) {
    return new SwitchboardError("UNSERIALISABLE", `could not serialise ${method} for ${label}: ${error.message}`, { cause: error });
  }
  return new SwitchboardError("CONNECTION_CLOSED", `could not send ${method} to ${label}: ${String(error)}`, { cause: error });
}
