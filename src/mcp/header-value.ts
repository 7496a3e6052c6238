/**
 * Header values of MCP 2026-07-28's Streamable HTTP binding: a value that is
 * not plain printable ASCII, or has leading or trailing spaces, travels as
 * `=?base64?{its UTF-8 as Base64}?=`. One codec for the front (which checks
 * what clients send) and the client transport (which sends). Pure.
 */

const SENTINEL_PREFIX = "=?base64?";
const SENTINEL_SUFFIX = "?=";
/** Visible ASCII, space and tab (RFC 9110 field values). */
const FIELD_VALUE = /^[\x20-\x7e\t]*$/;
const SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/**
 * A value as an HTTP header value: as it is when it is plain printable ASCII
 * (0x20–0x7E) without leading or trailing spaces; otherwise, and when it
 * looks like the sentinel itself, `=?base64?{UTF-8 as Base64}?=`.
 */
export function encodeHeaderValue(value: string): string {
  const plain = /^[\x20-\x7e]*$/.test(value) && value.trim() === value && !isSentinelShaped(value);
  return plain ? value : `${SENTINEL_PREFIX}${Buffer.from(value, "utf8").toString("base64")}${SENTINEL_SUFFIX}`;
}

/** Starts and ends like the sentinel (such a value is never a plain one). */
function isSentinelShaped(value: string): boolean {
  return value.length >= SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length && value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX);
}

/** A header value as the client meant it: the Base64 sentinel decoded; undefined when it carries characters a header may not, or is a sentinel that is not canonical Base64 of UTF-8. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!FIELD_VALUE.test(value)) return undefined;
  const encoded = SENTINEL.exec(value);
  if (!encoded) return isSentinelShaped(value) ? undefined : value;
  const base64 = encoded[1] as string;
  const bytes = Buffer.from(base64, "base64");
  const text = bytes.toString("utf8");
  // Node decodes leniently: only canonical Base64 (padded) of valid UTF-8 is accepted, never garbage compared.
  return bytes.toString("base64") === base64 && Buffer.from(text, "utf8").equals(bytes) ? text : undefined;
}
