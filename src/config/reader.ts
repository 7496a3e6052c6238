import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";
import type { ConfigIssue } from "./config-error.js";
import { joinPath } from "./substitute-env.js";

/** Reads typed fields off an object, recording an issue per wrong field. */
export class Reader {
  constructor(
    readonly issues: ConfigIssue[],
    readonly warnings: string[],
  ) {}

  object(value: unknown, path: string, keys: string[]): JsonObject | undefined {
    if (value === undefined) return undefined;
    if (!isJsonObject(value)) {
      this.issues.push({ path, message: "must be an object" });
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) this.warnings.push(`${joinPath(path, key)}: unknown key, ignored (known: ${keys.join(", ")})`);
    }
    return value;
  }

  string(obj: JsonObject, key: string, path: string, fallback: string, options: { nonEmpty?: boolean } = {}): string {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value !== "string" || (options.nonEmpty && value.length === 0)) {
      this.issues.push({ path: joinPath(path, key), message: options.nonEmpty ? "must be a non-empty string" : "must be a string" });
      return fallback;
    }
    return value;
  }

  optionalString(obj: JsonObject, key: string, path: string): string | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.length === 0) {
      this.issues.push({ path: joinPath(path, key), message: "must be a non-empty string" });
      return undefined;
    }
    return value;
  }

  boolean(obj: JsonObject, key: string, path: string, fallback: boolean): boolean {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
      this.issues.push({ path: joinPath(path, key), message: "must be true or false" });
      return fallback;
    }
    return value;
  }

  integer(obj: JsonObject, key: string, path: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.issues.push({ path: joinPath(path, key), message: `must be a whole number from ${min} to ${max}` });
      return fallback;
    }
    return value;
  }

  stringArray(obj: JsonObject, key: string, path: string): string[] {
    const value = obj[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      this.issues.push({ path: joinPath(path, key), message: "must be an array of strings" });
      return [];
    }
    return value as string[];
  }

  /** A map of strings (numbers and booleans are turned into strings); `label` names what a key is, for errors. */
  stringMap(obj: JsonObject, key: string, path: string, label: string): Record<string, string> {
    const value = obj[key];
    if (value === undefined) return {};
    if (!isJsonObject(value)) {
      this.issues.push({ path: joinPath(path, key), message: "must be an object of string values" });
      return {};
    }
    const out: Record<string, string> = {};
    for (const [name, item] of Object.entries(value)) {
      // Assigning "__proto__" would change the prototype and drop the entry.
      if (name === "__proto__") {
        this.issues.push({ path: joinPath(joinPath(path, key), name), message: `"__proto__" cannot be passed as ${label}; remove it` });
      } else if (typeof item === "string") out[name] = item;
      else if (typeof item === "number" || typeof item === "boolean") out[name] = String(item);
      else this.issues.push({ path: joinPath(joinPath(path, key), name), message: "must be a string" });
    }
    return out;
  }
}
