/** Protocol versions of the legacy era (initialize handshake, sessions), newest first. */
export const LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] as const;
/** Protocol versions of the modern era (stateless, `server/discover`), newest first. */
export const MODERN_VERSIONS = ["2026-07-28"] as const;

/** The newest legacy version: what we offer backends and what we answer unknown client versions with. */
export const LATEST_LEGACY_VERSION = LEGACY_VERSIONS[0];
/** The version the Streamable HTTP spec says to assume when the header is absent. */
export const DEFAULT_HTTP_ASSUMED_VERSION = "2025-03-26";

/** One of the two eras of the protocol. */
export type Era = "legacy" | "modern";
/** A protocol version string we know. */
export type ProtocolVersion = (typeof LEGACY_VERSIONS)[number] | (typeof MODERN_VERSIONS)[number];

/** True when `version` is a legacy version we speak. */
export function isLegacyVersion(version: unknown): version is (typeof LEGACY_VERSIONS)[number] {
  return typeof version === "string" && (LEGACY_VERSIONS as readonly string[]).includes(version);
}

/** The era of a known version, or undefined. */
export function eraOf(version: string): Era | undefined {
  if (isLegacyVersion(version)) return "legacy";
  if ((MODERN_VERSIONS as readonly string[]).includes(version)) return "modern";
  return undefined;
}

/**
 * Server side of legacy version negotiation: the client's version when we
 * speak it, otherwise our latest (the client then decides whether to go on).
 */
export function negotiateLegacyVersion(requested: unknown): (typeof LEGACY_VERSIONS)[number] {
  return isLegacyVersion(requested) ? requested : LATEST_LEGACY_VERSION;
}

/** True when `a` is at least version `b` (dates compare as strings). */
export function versionAtLeast(a: string, b: string): boolean {
  return a >= b;
}
