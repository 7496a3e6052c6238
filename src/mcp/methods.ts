/** MCP method names used by the switchboard. */
export const Method = {
  Initialize: "initialize",
  Initialized: "notifications/initialized",
  Ping: "ping",
  ToolsList: "tools/list",
  ToolsCall: "tools/call",
  ToolsListChanged: "notifications/tools/list_changed",
  Cancelled: "notifications/cancelled",
  Progress: "notifications/progress",
  LoggingMessage: "notifications/message",
  Discover: "server/discover",
} as const;
