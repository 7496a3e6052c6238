/**
 * The reversible mapping between a backend's resource URIs and the URIs the
 * switchboard hands out.
 *
 * Design: a fixed prefix in front of the original text, which stays intact.
 *
 *     {scheme}://{server}/{original URI}
 *     switchboard://everything/demo://resource/static/document/architecture.md
 *
 * - Reversible for every string: server names hold only `A-Z a-z 0-9 _ - .`
 *   (never `/`), so the first `/` after the authority ends the server name and
 *   everything after it is the original, byte for byte. No escaping, so nothing
 *   to double-encode and any character survives.
 * - Unambiguous: two backends serving the same URI get different prefixes.
 * - Templates: the same prefix applies to a URI template's text. The prefix is
 *   made only of characters RFC 6570 copies literally (it holds no `{` `}` and
 *   nothing it would percent-encode), so expanding the mapped template gives the
 *   prefix followed by the expansion of the original template: every expansion
 *   maps back to (server, the URI the backend's own template would produce).
 * - A valid absolute URI: scheme, authority (the server name is a legal
 *   reg-name), and the original in the path (`:` `/` `@` are legal there). An
 *   original holding `?` or `#` lands in our query or fragment, which is fine:
 *   unmapping is textual and never parses those.
 * - Recognised case-insensitively on the scheme (RFC 3986 §3.1), so a client
 *   that lowercases schemes still reaches the backend; the server name and the
 *   original are taken exactly as written.
 *
 * Servers configured with `prefix: false` keep their URIs as they are; such a
 * URI must not itself look like one of ours (`unprefixedUriProblem`), or reads
 * could not tell the two apart.
 */

/** How exposed resource URIs are built: `{scheme}://{server}/{original}`. */
export interface UriMapping {
  /** URI scheme of exposed URIs (RFC 3986 scheme syntax). */
  scheme: string;
}

/** The default mapping: `switchboard://{server}/{original}`. */
export const DEFAULT_URI_MAPPING: UriMapping = { scheme: "switchboard" };

/** A URI (or URI template) the switchboard handed out, taken apart. */
export interface MappedUri {
  /** The server (backend) name. */
  server: string;
  /** The backend's own URI (or template text), exactly as the backend wrote it. */
  uri: string;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const SERVER_NAME = /^[A-Za-z0-9_.-]+$/;

/** Why `scheme` cannot be the scheme of exposed URIs, or undefined when it can. */
export function uriSchemeProblem(scheme: string): string | undefined {
  if (SCHEME.test(scheme)) return undefined;
  return `"${scheme}" is not a URI scheme (it must start with a letter, then letters, digits, + - . only)`;
}

/** The prefix every exposed URI of `server` starts with: `{scheme}://{server}/`. */
export function uriPrefix(mapping: UriMapping, server: string): string {
  return `${mapping.scheme}://${server}/`;
}

/**
 * The URI (or URI template) the switchboard exposes for `uri` of `server`;
 * with `prefixed` false, `uri` itself.
 */
export function mapUri(mapping: UriMapping, server: string, uri: string, prefixed = true): string {
  return prefixed ? uriPrefix(mapping, server) + uri : uri;
}

/**
 * Take an exposed URI (or template text) apart into (server, original), or
 * undefined when it is not one of ours. Inverse of `mapUri` with `prefixed`:
 * `unmapUri(m, mapUri(m, s, u))` is `{ server: s, uri: u }` for every valid
 * server name `s` and every string `u`. Whether the server exists is the
 * caller's question.
 */
export function unmapUri(mapping: UriMapping, exposed: string): MappedUri | undefined {
  const { scheme } = mapping;
  const head = scheme.length + 3;
  if (exposed.length <= head || exposed.charCodeAt(scheme.length) !== 58 /* : */) return undefined;
  if (exposed.charCodeAt(scheme.length + 1) !== 47 || exposed.charCodeAt(scheme.length + 2) !== 47) return undefined;
  const start = exposed.slice(0, scheme.length);
  if (start !== scheme && start.toLowerCase() !== scheme.toLowerCase()) return undefined;
  const slash = exposed.indexOf("/", head);
  if (slash === -1) return undefined;
  const server = exposed.slice(head, slash);
  if (!SERVER_NAME.test(server)) return undefined;
  return { server, uri: exposed.slice(slash + 1) };
}

/**
 * Why an un-prefixed (`prefix: false`) backend URI cannot be exposed as is,
 * or undefined when it can: it must not read as one of our mapped URIs.
 */
export function unprefixedUriProblem(mapping: UriMapping, uri: string): string | undefined {
  const mapped = unmapUri(mapping, uri);
  if (mapped === undefined) return undefined;
  return `"${uri}" has the form of a switchboard URI (it would be read from server "${mapped.server}")`;
}
