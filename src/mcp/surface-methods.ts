/**
 * MCP method names of the surface beyond tools (2025-11-25): prompts,
 * resources and templates, completions, logging, subscriptions, tasks, and the
 * server-to-client requests. Kept apart from `Method` (methods.ts) only until
 * the two are merged; the values are the spec's.
 */
export const SurfaceMethod = {
  PromptsList: "prompts/list",
  PromptsGet: "prompts/get",
  PromptsListChanged: "notifications/prompts/list_changed",
  ResourcesList: "resources/list",
  ResourcesTemplatesList: "resources/templates/list",
  ResourcesRead: "resources/read",
  ResourcesSubscribe: "resources/subscribe",
  ResourcesUnsubscribe: "resources/unsubscribe",
  ResourcesUpdated: "notifications/resources/updated",
  ResourcesListChanged: "notifications/resources/list_changed",
  CompletionComplete: "completion/complete",
  LoggingSetLevel: "logging/setLevel",
  TasksGet: "tasks/get",
  TasksResult: "tasks/result",
  TasksList: "tasks/list",
  TasksCancel: "tasks/cancel",
  TaskStatus: "notifications/tasks/status",
  SamplingCreateMessage: "sampling/createMessage",
  ElicitationCreate: "elicitation/create",
  ElicitationComplete: "notifications/elicitation/complete",
  RootsList: "roots/list",
  RootsListChanged: "notifications/roots/list_changed",
} as const;
