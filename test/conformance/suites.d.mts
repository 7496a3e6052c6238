// Types for suites.mjs (plain ESM so the run scripts need no build step).

/** One installed conformance suite. */
export interface Suite {
  entry: string;
  all: string[];
  one(scenario: string): string[];
  baseline: string;
  notScored(): string[];
}

/** The repository root. */
export const ROOT: string;
/** The installed suites by name ("0.1.16", "next"). */
export const SUITES: Record<string, Suite>;
/** The suite named `name`; throws naming the known ones. */
export function suiteNamed(name: string): Suite;
/** Run a suite's server scenarios against `url`, judged against `baseline`. */
export function runSuite(options: {
  suiteName: string;
  url: string;
  baseline: string;
  scenario?: string;
  extraArgs?: string[];
  timeoutMs?: number;
  prefix?: string;
}): Promise<{ code: number; total: string }>;
/** Hold not-scored scenarios to the baseline from saved checks; 1 on a mismatch. */
export function judgeNotScored(names: string[], outputDir: string, baseline: string, prefix: string): 0 | 1;
/** The scenario names under `server:` in an expected-failures file. */
export function readBaseline(file: string): string[];
