// Golden pass tests: every fixture in a golden/ folder under test/passes (golden/ here for the
// float passes, quantize/golden/ and import-qdq/golden/ next to those passes' tests) is IR text with a
// `// RUN: PIPELINE` line and directives in comments: CHECK lines (FileCheck) on the printed
// result, LOG lines on the pass log, CALIBRATE / INPUTS / NUMERIC for the numbers, ERROR for a
// pipeline that must fail. docs/testing.md ("Golden fixtures") describes them and
// src/testing/golden.ts runs them. A new golden test is a new file; it needs no code.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkGoldenFixture } from "../../src/testing/index.js";

const dir = path.dirname(fileURLToPath(import.meta.url));
const fixtures = (readdirSync(dir, { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ir") && f.split(path.sep).includes("golden"))
  .sort();

describe("golden pass tests", () => {
  it("has fixtures", () => expect(fixtures.length).toBeGreaterThan(0));
  for (const file of fixtures) {
    it(file, () => checkGoldenFixture(readFileSync(path.join(dir, file), "utf8"), { name: file }));
  }
});
