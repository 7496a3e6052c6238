import type { JsonObject } from "../jsonrpc/message.js";
import type { RequestContext } from "./request-context.js";

/** One argument of a local prompt, as `prompts/list` shows it. */
export interface LocalPromptArgument {
  name: string;
  description?: string;
  title?: string;
  required?: boolean;
}

/** What `Switchboard.prompt()` accepts: a prompt as `prompts/list` shows it. */
export interface LocalPromptDefinition {
  name: string;
  title?: string;
  description?: string;
  arguments?: LocalPromptArgument[];
  icons?: JsonObject[];
  _meta?: JsonObject;
}

/**
 * A local prompt's handler: given the client's arguments (strings), returns a
 * `GetPromptResult` (has a `messages` array), or a string (one user message
 * of text).
 */
export type LocalPromptHandler = (args: Record<string, string>, context: RequestContext) => unknown;

/** What `Switchboard.resource()` accepts: a resource as `resources/list` shows it. */
export interface LocalResourceDefinition {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  annotations?: JsonObject;
  _meta?: JsonObject;
}

/** What `Switchboard.resourceTemplate()` accepts: a template as `resources/templates/list` shows it. */
export interface LocalResourceTemplateDefinition {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  annotations?: JsonObject;
  _meta?: JsonObject;
}

/**
 * A local resource's (or template's) handler: given the URI read, returns a
 * `ReadResourceResult` (has a `contents` array), a string (one text
 * content), or a Uint8Array (one blob content).
 */
export type LocalResourceHandler = (uri: string, context: RequestContext) => unknown;
