import { SwitchboardError } from "../jsonrpc/local-error.js";

/** One problem in a config: where (a JSON path) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** A config that cannot be used; `issues` lists every problem found, one line each. */
export class ConfigError extends SwitchboardError {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[], source?: string) {
    const lines = issues.map((issue) => `${issue.path}: ${issue.message}`);
    super("CONFIG_INVALID", `${source ? source + ": " : ""}invalid config\n${lines.join("\n")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}
