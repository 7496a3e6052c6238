/** A tool inputSchema with x-mcp-header annotations at the top level and nested under properties (the spec's execute_sql example, extended). */
export const sql = {
  type: "object",
  properties: {
    region: { type: "string", "x-mcp-header": "Region" },
    query: { type: "string" },
    scope: { type: "object", properties: { tenant: { type: "integer", "x-mcp-header": "Tenant" }, dryRun: { type: "boolean", "x-mcp-header": "Dry-Run" } } },
  },
};
