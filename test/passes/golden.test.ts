// Golden tests: every fixture in golden/ is an IR graph with a `// RUN: PIPELINE` line and
// FileCheck directives (see src/testing/filecheck.ts). The pipeline runs with the verifier after each pass,
// the printed result must satisfy the directives, and the result must compute the same numbers
// as the input on random inputs (unless the fixture says `// NUMERIC: skip`). A new golden test
// is a new file; it needs no code.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseGraph, printGraph } from "../../ir/text/index.js";
import { verifyGraph } from "../../ir/verify.js";
import { fileCheck, parseDirectives } from "../../src/testing/index.js";
import { expectSameNumbers, run } from "./helpers.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "golden");
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".ir")).sort();

describe("golden pass tests", () => {
  it("has fixtures", () => expect(fixtures.length).toBeGreaterThan(0));
  for (const file of fixtures) {
    it(file, () => {
      const text = readFileSync(path.join(dir, file), "utf8");
      const runLine = /^\/\/ RUN:(.*)$/m.exec(text);
      if (!runLine) throw new Error(`${file} has no "// RUN: pipeline" line`);
      const directives = parseDirectives(text);
      expect(directives.length, `${file} has no CHECK lines`).toBeGreaterThan(0);
      const input = parseGraph(text);
      verifyGraph(input);
      const output = run(input, runLine[1]!.trim());
      const printed = printGraph(output);
      const failure = fileCheck(printed, directives);
      expect(failure, `${file}\n${failure}\n--- output ---\n${printed}`).toBeUndefined();
      if (!/^\/\/ NUMERIC: skip/m.test(text)) expectSameNumbers(input, output);
    });
  }
});
