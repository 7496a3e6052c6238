import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two cores on CI: integration tests spawn many processes, keep files from starving each other.
    maxWorkers: 2,
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
});
