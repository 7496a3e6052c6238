/** Local error codes of the modern-era front (see jsonrpc/local-error.ts for the registry this augments). */
declare module "../jsonrpc/local-error.js" {
  interface LocalErrorCodes {
    /**
     * A server-to-client request was addressed to a modern (2026-07-28)
     * client, which cannot receive requests: a modern client is asked for
     * input through an InputRequiredResult (MRTR) instead.
     */
    CLIENT_NOT_REQUESTABLE: true;
  }
}

export {};
