import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "scorers/**/*.test.ts", "test/**/*.test.ts", "datasets/**/*.test.ts"],
    testTimeout: 60000,
    hookTimeout: 60000,
    pool: "forks",
    // one scratch folder per run, removed at its end (test/scratch-root.ts)
    globalSetup: ["test/scratch-root.ts"],
  },
});
