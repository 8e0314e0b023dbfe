// Test runner settings: suites live in test/ and mirror the source folders. Examples, docs
// examples and benchmarks import the package by its name ("neonc", "neonc/testing"), as a user
// does: here those names are the sources (tsconfig.json's paths say the same to tsc; the built
// files reach dist/ through the package's own exports).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^neonc\/testing$/, replacement: src("./src/testing/index.ts") },
      { find: /^neonc$/, replacement: src("./src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    setupFiles: ["test/setup.ts"],
  },
});
