import type { ConfigIssue } from "./config-error.js";

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replace `${VAR}` (and `${VAR:-default}`) in every string of a parsed JSON
 * value with the environment's value; `$${` stays a literal `${`. An unset
 * variable without a default is an issue at the string's path.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, issues: ConfigIssue[], path = "$"): unknown {
  if (typeof value === "string") return substituteString(value, env, issues, path);
  if (Array.isArray(value)) return value.map((item, index) => substituteEnv(item, env, issues, `${path}[${index}]`));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(out, key, substituteEnv(item, env, issues, joinPath(path, key)));
    return out;
  }
  return value;
}

/**
 * `target[key] = value` as an own property even for `__proto__` (which
 * JSON.parse makes an own key, but assignment would turn into a prototype
 * change and lose), so later checks see the key and can refuse it.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function substituteString(text: string, env: NodeJS.ProcessEnv, issues: ConfigIssue[], path: string): string {
  if (!text.includes("${")) return text;
  return text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$${") return "${";
    const found = env[name as string];
    if (found !== undefined && found !== "") return found;
    if (fallback !== undefined) return fallback;
    issues.push({
      path: displayPath(path),
      message: `environment variable ${name} is not set (used as \${${name}}); set it, or write \${${name}:-default}`,
    });
    return match;
  });
}

/** Append a key to a JSON path (`servers.time.command`). */
export function joinPath(path: string, key: string): string {
  const safe = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
  return path === "$" ? safe : `${path}.${safe}`;
}

function displayPath(path: string): string {
  return path === "$" ? "(root)" : path;
}
