/** Settings of the modern era (2026-07-28) front side, shared by the stdio and HTTP fronts. */
export interface ModernOptions {
  /**
   * `ttlMs` of list, read and discover results when the backends that
   * contributed give no hint of their own (and of the switchboard's own
   * entries). 0 (the default): immediately stale; clients rely on
   * `subscriptions/listen` change notifications.
   */
  cacheTtlMs: number;
  /** `instructions` of `server/discover`, when configured. */
  instructions?: string;
  /** Open `subscriptions/listen` streams at once, over all clients of the process (default 100). */
  maxListens: number;
  /** Interval of SSE comment lines on an HTTP listen stream, ms (0 = none; default 25 s). */
  listenKeepAliveMs: number;
}

/** Defaults of ModernOptions. */
export const DEFAULT_MODERN: ModernOptions = { cacheTtlMs: 0, maxListens: 100, listenKeepAliveMs: 25_000 };

/** The modern options a config's proxy section sets. */
export function modernOptionsOf(proxy: { cacheTtlMs: number; instructions?: string; maxListens: number; listenKeepAliveMs: number }): ModernOptions {
  const options: ModernOptions = { cacheTtlMs: proxy.cacheTtlMs, maxListens: proxy.maxListens, listenKeepAliveMs: proxy.listenKeepAliveMs };
  if (proxy.instructions !== undefined) options.instructions = proxy.instructions;
  return options;
}
