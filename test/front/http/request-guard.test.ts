import { describe, expect, it } from "vitest";
import { corsHeaders, guardRequest, hostnameOf, isLoopbackAddress, originAllowed, tokenMatches, type GuardPolicy } from "../../../src/front/http/request-guard.js";

const loopback: GuardPolicy = { loopback: true, allowedOrigins: [], allowedHosts: [] };

describe("request guard", () => {
  it("reads host names out of Host values", () => {
    expect(hostnameOf("localhost:8000")).toBe("localhost");
    expect(hostnameOf("[::1]:8000")).toBe("[::1]");
    expect(hostnameOf("EXAMPLE.com")).toBe("example.com");
    expect(isLoopbackAddress("127.0.0.1")).toBe(true);
    expect(isLoopbackAddress("0.0.0.0")).toBe(false);
  });

  it("allows localhost origins and listed ones only", () => {
    expect(originAllowed("http://localhost:6274", [])).toBe(true);
    expect(originAllowed("https://127.0.0.1", [])).toBe(true);
    expect(originAllowed("http://[::1]:3000", [])).toBe(true);
    expect(originAllowed("https://evil.example.com", [])).toBe(false);
    expect(originAllowed("http://localhost.evil.com", [])).toBe(false);
    expect(originAllowed("null", [])).toBe(false);
    expect(originAllowed("https://app.example.com", ["https://app.example.com"])).toBe(true);
    expect(originAllowed("https://any.example", ["*"])).toBe(true);
  });

  it("refuses foreign Host on loopback (403), accepts loopback names with any port", () => {
    expect(guardRequest({ host: "evil.example.com" }, loopback)?.status).toBe(403);
    expect(guardRequest({}, loopback)?.status).toBe(403);
    expect(guardRequest({ host: "localhost:1234" }, loopback)).toBeUndefined();
    expect(guardRequest({ host: "127.0.0.1" }, loopback)).toBeUndefined();
    expect(guardRequest({ host: "[::1]:9" }, loopback)).toBeUndefined();
    expect(guardRequest({ host: "mcp.internal:8000" }, { ...loopback, allowedHosts: ["mcp.internal"] })).toBeUndefined();
    // Bound to all interfaces: Host is only checked against an explicit list.
    expect(guardRequest({ host: "anything.example" }, { ...loopback, loopback: false })).toBeUndefined();
    expect(guardRequest({ host: "anything.example" }, { ...loopback, loopback: false, allowedHosts: ["mcp.example"] })?.status).toBe(403);
  });

  it("refuses a foreign Origin (403) even with the right Host", () => {
    const refusal = guardRequest({ host: "localhost", origin: "https://evil.example.com" }, loopback);
    expect(refusal?.status).toBe(403);
    expect(refusal?.message).toMatch(/server\.allowedOrigins/);
  });

  it("asks for a bearer token (401) and tells missing from wrong", () => {
    const policy = { ...loopback, authToken: "s3cret" };
    const missing = guardRequest({ host: "localhost" }, policy);
    expect(missing?.status).toBe(401);
    expect(missing?.headers?.["WWW-Authenticate"]).toBe('Bearer realm="mcp-switchboard"');
    const wrong = guardRequest({ host: "localhost", authorization: "Bearer nope" }, policy);
    expect(wrong?.headers?.["WWW-Authenticate"]).toMatch(/invalid_token/);
    expect(guardRequest({ host: "localhost", authorization: "bearer s3cret" }, policy)).toBeUndefined();
    expect(tokenMatches("a", "a")).toBe(true);
    expect(tokenMatches("a", "ab")).toBe(false);
  });

  it("adds CORS headers only for requests with an Origin", () => {
    expect(corsHeaders(undefined)).toEqual({});
    expect(corsHeaders("http://localhost:6274")).toMatchObject({ "Access-Control-Allow-Origin": "http://localhost:6274", Vary: "Origin" });
    expect(corsHeaders("http://localhost:6274")["Access-Control-Expose-Headers"]).toMatch(/Mcp-Session-Id/);
  });
});
