import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { guardRequest, hostnameOf, originAllowed } from "../../src/front/http/request-guard.js";
import { LineDecoder } from "../../src/jsonrpc/line-decoder.js";
import { parseMessageText, validateMessage } from "../../src/jsonrpc/parse-message.js";

const nasty = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("\uD800", "\uDFFF", "1e400", -0, Number.MAX_SAFE_INTEGER + 2, "__proto__", "constructor", { __proto__: { polluted: true } }),
  fc.letrec((tie) => ({ deep: fc.oneof({ depthSize: "small" }, fc.constant(null), fc.array(tie("deep"), { maxLength: 2 })) })).deep,
);

describe("front-facing parsers under random input", () => {
  it("the line decoder never throws and never buffers past its limit", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }), (chunks) => {
        let delivered = 0;
        const decoder = new LineDecoder({ line: () => void delivered++, oversized: () => undefined }, 256);
        for (const chunk of chunks) {
          decoder.push(Buffer.from(chunk));
          expect(decoder.bufferedBytes).toBeLessThanOrEqual(256);
        }
        decoder.end();
        expect(delivered).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it("message validation answers every value with an outcome and a clear error", () => {
    fc.assert(
      fc.property(nasty, (value) => {
        const outcome = validateMessage(value);
        if (!outcome.ok) {
          expect([-32600, -32700]).toContain(outcome.error.code);
          expect(outcome.error.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const outcome = parseMessageText(text);
        expect(typeof outcome.ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });

  it("a deeply nested message is refused with a parse error, not a crash", () => {
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const outcome = parseMessageText(deep);
    expect(outcome.ok).toBe(false);
  });

  it("config parsing either succeeds or lists issues with paths; it never throws anything else", () => {
    const configish = fc.oneof(
      nasty,
      fc.record(
        {
          proxy: fc.oneof(nasty, fc.record({ enabled: nasty, namespace: nasty, separator: nasty }, { requiredKeys: [] })),
          servers: fc.oneof(nasty, fc.dictionary(fc.string(), fc.oneof(nasty, fc.record({ command: nasty, args: nasty, env: nasty, timeout: nasty, restart: nasty }, { requiredKeys: [] })))),
          server: fc.oneof(nasty, fc.record({ port: nasty, host: nasty, path: nasty, authToken: nasty }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(configish, (raw) => {
        try {
          const parsed = parseConfig(raw, {});
          expect(parsed.config.server.port).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          for (const issue of (error as ConfigError).issues) {
            expect(issue.path.length).toBeGreaterThan(0);
            expect(issue.message.length).toBeGreaterThan(3);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("header checks never throw on arbitrary Host, Origin and Authorization values", () => {
    const header = fc.string({ unit: "binary", maxLength: 300 });
    fc.assert(
      fc.property(header, header, header, (host, origin, authorization) => {
        hostnameOf(host);
        originAllowed(origin, []);
        const refusal = guardRequest({ host, origin, authorization }, { loopback: true, allowedOrigins: [], allowedHosts: [], authToken: "t" });
        if (refusal) expect([401, 403]).toContain(refusal.status);
      }),
      { numRuns: 500 },
    );
  });
});
