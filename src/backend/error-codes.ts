/**
 * Local error codes of the backend layer (see jsonrpc/local-error.ts for the
 * registry this augments).
 */
declare module "../jsonrpc/local-error.js" {
  interface LocalErrorCodes {
    /** The backend exited (or closed its output) while a request was in flight. */
    BACKEND_EXITED: true;
    /** The backend is not ready (starting, restarting, failed, stopped, disabled). */
    BACKEND_UNAVAILABLE: true;
    /** The backend could not be started. */
    BACKEND_START_FAILED: true;
    /** The backend's handshake or first catalog listing failed. */
    HANDSHAKE_FAILED: true;
    /** The backend does not read its input: calls to it are refused until it does. */
    BACKEND_NOT_READING: true;
    /** The backend answered with a malformed response. */
    BACKEND_INVALID_ANSWER: true;
  }
}

export {};
