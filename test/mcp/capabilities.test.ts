import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  advertisedCapabilities,
  capabilitiesForBackend,
  elicitationModes,
  missingClientCapability,
  type ClientFeaturePolicy,
} from "../../src/mcp/capabilities.js";

/** What server-everything 2026.8 declares (completions added by its McpServer for completable arguments). */
const everything = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  logging: {},
  completions: {},
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
};
const all: ClientFeaturePolicy = { sampling: true, elicitationForm: true, elicitationUrl: true, roots: true };
const none: ClientFeaturePolicy = { sampling: false, elicitationForm: false, elicitationUrl: false, roots: false };

describe("advertisedCapabilities", () => {
  it("advertises only tools when no backend declares anything else", () => {
    expect(advertisedCapabilities([])).toEqual({ tools: { listChanged: true } });
    expect(advertisedCapabilities([{ tools: {} }, {}])).toEqual({ tools: { listChanged: true } });
  });

  it("takes the union of the backends, with listChanged for every list kind", () => {
    expect(advertisedCapabilities([{ tools: {} }, everything], { tasks: true })).toEqual({
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
      completions: {},
      logging: {},
      tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
    });
    expect(advertisedCapabilities([{ resources: { listChanged: false } }, { prompts: { listChanged: false } }])).toEqual({
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true },
    });
  });

  it("advertises tasks only when the switchboard carries them, and only the parts some backend has", () => {
    expect(advertisedCapabilities([everything]).tasks).toBeUndefined();
    expect(advertisedCapabilities([{ tasks: { list: {} } }, { tasks: {} }], { tasks: true }).tasks).toEqual({ list: {} });
    expect(advertisedCapabilities([{ tasks: {} }], { tasks: true }).tasks).toBeUndefined();
  });

  it("advertises logging on its own when asked, never experimental, and ignores malformed declarations", () => {
    expect(advertisedCapabilities([], { logging: true })).toEqual({ tools: { listChanged: true }, logging: {} });
    expect(advertisedCapabilities([{ experimental: { x: {} } }])).toEqual({ tools: { listChanged: true } });
    expect(
      advertisedCapabilities([null, 7, "x", [], { prompts: true, resources: [], completions: null, logging: "yes", tasks: { list: 1 } }], {
        tasks: true,
      }),
    ).toEqual({ tools: { listChanged: true } });
  });

  const declared = fc.record(
    {
      prompts: fc.constant({}),
      resources: fc.record({ subscribe: fc.boolean(), listChanged: fc.boolean() }, { requiredKeys: [] }),
      completions: fc.constant({}),
      logging: fc.constant({}),
    },
    { requiredKeys: [] },
  );

  it("property: every kind some backend declares is advertised, nothing else, always with listChanged", () => {
    fc.assert(
      fc.property(fc.array(declared, { maxLength: 5 }), (backends) => {
        const out = advertisedCapabilities(backends);
        expect(out.tools).toEqual({ listChanged: true });
        for (const kind of ["prompts", "resources", "completions", "logging"] as const) {
          expect(out[kind] !== undefined).toBe(backends.some((b) => b[kind] !== undefined));
        }
        if (out.prompts) expect(out.prompts.listChanged).toBe(true);
        if (out.resources) {
          expect(out.resources.listChanged).toBe(true);
          expect(out.resources.subscribe === true).toBe(backends.some((b) => b.resources?.subscribe === true));
        }
      }),
    );
  });
});

describe("elicitationModes", () => {
  it("reads form and url, an empty object meaning form", () => {
    expect(elicitationModes({})).toEqual({ form: false, url: false });
    expect(elicitationModes({ elicitation: {} })).toEqual({ form: true, url: false });
    expect(elicitationModes({ elicitation: { url: {} } })).toEqual({ form: false, url: true });
    expect(elicitationModes({ elicitation: { form: {}, url: {} } })).toEqual({ form: true, url: true });
    expect(elicitationModes({ elicitation: true })).toEqual({ form: false, url: false });
  });
});

describe("capabilitiesForBackend", () => {
  it("declares every allowed feature to a shared backend, in base form", () => {
    expect(capabilitiesForBackend(all, "2025-11-25")).toEqual({ sampling: {}, elicitation: { form: {}, url: {} }, roots: {} });
    expect(capabilitiesForBackend(none, "2025-11-25")).toEqual({});
    expect(capabilitiesForBackend({ ...none, elicitationUrl: true }, "2025-11-25")).toEqual({ elicitation: { url: {} } });
  });

  it("uses the older shapes before 2025-11-25: elicitation {} (form only), no URL mode", () => {
    expect(capabilitiesForBackend(all, "2025-06-18")).toEqual({ sampling: {}, elicitation: {}, roots: {} });
    expect(capabilitiesForBackend({ ...none, elicitationUrl: true }, "2025-06-18")).toEqual({});
    const client = { sampling: { tools: {}, context: {} }, elicitation: { form: {}, url: {} } };
    expect(capabilitiesForBackend(all, "2025-06-18", client)).toEqual({ sampling: {}, elicitation: {} });
  });

  it("declares roots only when allowed", () => {
    expect(capabilitiesForBackend({ ...all, roots: false }, "2025-11-25", { roots: { listChanged: true } }).roots).toBeUndefined();
    expect(capabilitiesForBackend(all, "2025-11-25", { roots: { listChanged: true } }).roots).toEqual({ listChanged: true });
    expect(capabilitiesForBackend(all, "2025-11-25", { roots: {} }).roots).toEqual({});
  });

  it("intersects with one client's capabilities, sub-capabilities included", () => {
    expect(capabilitiesForBackend(all, "2025-11-25", {})).toEqual({});
    expect(capabilitiesForBackend(all, "2025-11-25", { sampling: { tools: {} }, elicitation: {}, experimental: { x: {} }, tasks: {} })).toEqual({
      sampling: { tools: {} },
      elicitation: { form: {} },
    });
    expect(capabilitiesForBackend({ ...all, elicitationForm: false }, "2025-11-25", { elicitation: { form: {}, url: {} } })).toEqual({
      elicitation: { url: {} },
    });
  });

  const sub = fc.constantFrom<object | undefined>(undefined, {});
  const client = fc.record(
    {
      sampling: fc.record({ context: sub, tools: sub }, { requiredKeys: [] }),
      elicitation: fc.record({ form: sub, url: sub }, { requiredKeys: [] }),
      roots: fc.record({ listChanged: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  );
  const policy = fc.record({ sampling: fc.boolean(), elicitationForm: fc.boolean(), elicitationUrl: fc.boolean(), roots: fc.boolean() });
  const version = fc.constantFrom("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25");

  it("property: whatever we declare for a client, that client can receive, and the policy allows", () => {
    fc.assert(
      fc.property(policy, version, client, (p, v, c) => {
        const declared = capabilitiesForBackend(p, v, c);
        if (declared.sampling) {
          expect(p.sampling).toBe(true);
          expect(missingClientCapability(c, "sampling/createMessage", {})).toBeUndefined();
          if (declared.sampling.tools) expect(missingClientCapability(c, "sampling/createMessage", { tools: [] })).toBeUndefined();
          if (declared.sampling.context) {
            expect(missingClientCapability(c, "sampling/createMessage", { includeContext: "thisServer" })).toBeUndefined();
          }
        }
        if (declared.elicitation) {
          // What the backend will infer from the declaration (the same rule clients and servers use).
          const modes = elicitationModes(declared);
          if (modes.form) {
            expect(p.elicitationForm).toBe(true);
            expect(missingClientCapability(c, "elicitation/create", { mode: "form" })).toBeUndefined();
          }
          if (modes.url) {
            expect(p.elicitationUrl && v >= "2025-11-25").toBe(true);
            expect(missingClientCapability(c, "elicitation/create", { mode: "url" })).toBeUndefined();
          }
          if (v < "2025-11-25") expect(declared.elicitation).toEqual({});
        }
        if (declared.roots) {
          expect(p.roots).toBe(true);
          expect(missingClientCapability(c, "roots/list", {})).toBeUndefined();
        }
      }),
    );
  });

  it("property: a shared declaration covers every feature any single client's declaration has (sub-capabilities aside)", () => {
    fc.assert(
      fc.property(policy, version, client, (p, v, c) => {
        const shared = capabilitiesForBackend(p, v);
        const one = capabilitiesForBackend(p, v, c);
        for (const key of ["sampling", "elicitation", "roots"] as const) if (one[key]) expect(shared[key]).toBeDefined();
        const oneModes = elicitationModes(one);
        const sharedModes = elicitationModes(shared);
        if (oneModes.form) expect(sharedModes.form).toBe(true);
        if (oneModes.url) expect(sharedModes.url).toBe(true);
      }),
    );
  });
});

describe("missingClientCapability", () => {
  it("says what a client lacks for each server request", () => {
    expect(missingClientCapability({}, "sampling/createMessage", {})).toBe('the client did not declare the "sampling" capability');
    expect(missingClientCapability({ sampling: {} }, "sampling/createMessage", { messages: [] })).toBeUndefined();
    expect(missingClientCapability({ sampling: {} }, "sampling/createMessage", { tools: [] })).toBe(
      'the client did not declare "sampling.tools" (tool use in sampling)',
    );
    expect(missingClientCapability({ sampling: {} }, "sampling/createMessage", { includeContext: "none" })).toBeUndefined();
    expect(missingClientCapability({ sampling: {} }, "sampling/createMessage", { includeContext: "allServers" })).toBe(
      'the client did not declare "sampling.context" (includeContext "allServers")',
    );
    expect(missingClientCapability({}, "elicitation/create", {})).toBe('the client did not declare the "elicitation" capability');
    expect(missingClientCapability({ elicitation: {} }, "elicitation/create", { message: "?" })).toBeUndefined();
    expect(missingClientCapability({ elicitation: {} }, "elicitation/create", { mode: "url" })).toBe(
      'the client did not declare "elicitation.url" (url-mode elicitation)',
    );
    expect(missingClientCapability({ elicitation: { url: {} } }, "elicitation/create", {})).toBe(
      'the client did not declare "elicitation.form" (form-mode elicitation)',
    );
    expect(missingClientCapability({}, "roots/list", undefined)).toBe('the client did not declare the "roots" capability');
    expect(missingClientCapability({ roots: {} }, "roots/list", undefined)).toBeUndefined();
    expect(missingClientCapability(undefined, "ping", undefined)).toBeUndefined();
  });
});
