/**
 * mcp-switchboard: one MCP endpoint in front of many MCP servers.
 * The embeddable API; `dist/main.js` is the CLI.
 */
export { Switchboard } from "./switchboard.js";
export type { SwitchboardOptions, RunOptions, RunningFront, ProxyStats, HealthReport, BackendHealth } from "./switchboard.js";
export { parseConfig } from "./config/parse-config.js";
export type { ParsedConfig } from "./config/parse-config.js";
export { loadConfigFile } from "./config/load-config.js";
export { ConfigError } from "./config/config-error.js";
export type { ConfigIssue } from "./config/config-error.js";
export type {
  SwitchboardConfig,
  ServerConfig,
  StdioServerConfig,
  HttpFrontConfig,
  ProxyConfig,
  RestartPolicy,
} from "./config/types.js";
export type { LocalToolDefinition, LocalToolHandler } from "./gateway/local-tool.js";
export type {
  LocalPromptArgument,
  LocalPromptDefinition,
  LocalPromptHandler,
  LocalResourceDefinition,
  LocalResourceHandler,
  LocalResourceTemplateDefinition,
} from "./gateway/local-surface.js";
export type { RequestContext, ClientContext, FrontKind } from "./gateway/request-context.js";
export type { BackendStats, BackendState } from "./backend/backend.js";
export { JsonRpcError, ErrorCode } from "./jsonrpc/errors.js";
export { McpErrorCode } from "./mcp/error-codes.js";
// The layers' local error codes (augmentations of LocalErrorCodes).
import "./backend/error-codes.js";
import "./gateway/error-codes.js";
export { SwitchboardError } from "./jsonrpc/local-error.js";
export type { LocalErrorCode } from "./jsonrpc/local-error.js";
export type { JsonObject, JsonRpcId, JsonRpcMessage } from "./jsonrpc/message.js";
export type { CallToolResult, Tool, ContentBlock, Implementation } from "./mcp/types.js";
export { setReaperEnabled } from "./runtime/reaper.js";
export { createLogger, silentLogger } from "./log/logger.js";
export type { Logger, LogLevel } from "./log/logger.js";
export { VERSION } from "./version.js";
