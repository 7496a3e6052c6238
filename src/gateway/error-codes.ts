/**
 * Local error codes of the gateway and the embedding API (see
 * jsonrpc/local-error.ts for the registry this augments).
 */
declare module "../jsonrpc/local-error.js" {
  interface LocalErrorCodes {
    /** No tool (or other catalog entry) has this exposed name. */
    UNKNOWN_TOOL: true;
    /** Two entries would be exposed under one name. */
    NAME_COLLISION: true;
    /** A name breaks the naming rules. */
    INVALID_NAME: true;
    /** The config is not valid. */
    CONFIG_INVALID: true;
    /** Started twice. */
    ALREADY_STARTED: true;
    /** Used after close(). */
    CLOSED: true;
    /** A session-isolated server's process was not started: proxy.maxSessionBackends run already. */
    SESSION_BACKEND_LIMIT: true;
  }
}

export {};
