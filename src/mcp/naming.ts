/** How exposed names are built: `{namespace}{separator}{server}{separator}{tool}`. */
export interface NamingPolicy {
  /** Leading namespace; empty gives `{server}{separator}{tool}`. */
  namespace: string;
  separator: string;
  /** Longest exposed name allowed (several clients cap it at 64); unset = no cap. */
  maxNameLength?: number;
}

/** The seed's defaults: `proxy.time.get_current_time`. */
export const DEFAULT_NAMING: NamingPolicy = { namespace: "proxy", separator: "." };

/** The prefix every exposed name of `server` starts with. */
export function serverPrefix(policy: NamingPolicy, server: string): string {
  return policy.namespace === ""
    ? `${server}${policy.separator}`
    : `${policy.namespace}${policy.separator}${server}${policy.separator}`;
}

/** The exposed name of a backend tool (or, with `prefixed` false, the tool's own name). */
export function exposedName(policy: NamingPolicy, server: string, tool: string, prefixed = true): string {
  return prefixed ? serverPrefix(policy, server) + tool : tool;
}

/** Characters the MCP spec recommends for tool names. */
const SPEC_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** Why `name` is not a recommended MCP tool name, or undefined when it is. */
export function toolNameProblem(name: string): string | undefined {
  if (SPEC_NAME.test(name)) return undefined;
  if (name.length === 0) return "is empty";
  if (name.length > 128) return `is ${name.length} characters long (the spec recommends at most 128)`;
  return "has characters outside A-Z a-z 0-9 _ - . (the spec recommends only these)";
}
