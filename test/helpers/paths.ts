import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The built CLI. */
export const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

/** Absolute path of a fixture backend (`fixtures/NAME.mjs`). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}.mjs`, import.meta.url));
}

/** Absolute path of a package's file under node_modules. */
export function nodeModule(path: string): string {
  return fileURLToPath(new URL(`../../node_modules/${path}`, import.meta.url));
}
