// C conformance: every ONNX backend test that the interpreter passes also passes through the
// generated portable C (c99, built natively) at the backend tolerance (rtol 1e-3, atol 1e-7).
// Tests that cannot be static C yet are listed with a reason in c-expected-failures.txt; the
// suite fails when a listed test passes. NEONC_ONLY=substring restricts the run.
import { beforeAll, describe, expect, it } from "vitest";
import { backendRoot } from "../helpers/backend-cases.js";
import { rigOrSkip } from "../codegen/helpers.js";
import { backendTestNames, cFailures, rigPresent, runBackendTestsInC } from "./backend-c.js";

describe.runIf(backendRoot)("ONNX backend node tests through the generated C (c99)", () => {
  const names = backendTestNames();
  const passing = names.filter((n) => !cFailures.has(n));
  let results = new Map<string, string | undefined>();
  beforeAll(() => {
    if (passing.length > 0 && rigPresent("c99", "native")) results = runBackendTestsInC(passing, "c99", "native");
  }, 600_000);
  for (const name of names) {
    const reason = cFailures.get(name);
    it(`${name}${reason ? " (expected to fail)" : ""}`, (ctx) => {
      rigOrSkip(ctx, "c99", "native");
      if (reason) {
        const failure = runBackendTestsInC([name], "c99", "native").get(name);
        expect(failure, `${name} now passes through C: remove it from c-expected-failures.txt`).toBeDefined();
      } else expect(results.get(name)).toBeUndefined();
    });
  }
});

