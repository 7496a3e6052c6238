/**
 * SSE event ids of the HTTP front. An id names its stream and its place in
 * it: `r12-3` is the third event of request stream 12, `g1-40` the fortieth
 * of standalone (GET) stream 1. Stream numbers are unique within a session,
 * so ids are too, and a `Last-Event-ID` says which stream to resume and
 * from where.
 */

/** A stream that answers one POST, or the session's standalone GET stream. */
export type StreamKind = "request" | "standalone";

/** A parsed event id. */
export interface EventId {
  kind: StreamKind;
  /** The stream's number within its session. */
  stream: number;
  /** The event's place in its stream (0 is the priming event). */
  seq: number;
}

const EVENT_ID = /^([rg])(\d{1,15})-(\d{1,15})$/;

/** The wire form of an event id. */
export function formatEventId(kind: StreamKind, stream: number, seq: number): string {
  return `${kind === "request" ? "r" : "g"}${stream}-${seq}`;
}

/** Parse a `Last-Event-ID`; undefined when it is not an id this front gave out. */
export function parseEventId(text: string): EventId | undefined {
  const match = EVENT_ID.exec(text.trim());
  if (match === null) return undefined;
  return { kind: match[1] === "r" ? "request" : "standalone", stream: Number(match[2]), seq: Number(match[3]) };
}
