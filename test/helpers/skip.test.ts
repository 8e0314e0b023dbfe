// The skip helpers of the suites: a test whose ../shared folder is missing is reported by vitest
// as skipped with the reason (not as passed), and fails instead under NEONC_REQUIRE_SHARED=1.
// (The toolchain side, rigOrSkip and itOnRigs, is tested in test/codegen/toolchain.test.ts.)
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance, type RunnerTestSuite } from "vitest";
import { repoRoot, sharedOrSkip } from "./shared.js";
import { skipOrFail } from "./skip.js";

const MISSING = path.resolve(repoRoot, "../shared/no-such-folder");
const WHY = `the tests that need ../shared/no-such-folder cannot run here: ${MISSING} does not exist`;

// Run without NEONC_REQUIRE_SHARED; the test after this block checks how vitest reported them.
describe("tests that need a missing shared folder", () => {
  const saved = process.env.NEONC_REQUIRE_SHARED;
  let warn: MockInstance<typeof console.warn> | undefined;
  beforeAll(() => {
    delete process.env.NEONC_REQUIRE_SHARED;
    // The skip warning is expected here: kept out of the run's output.
    warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  });
  afterAll(() => {
    if (saved !== undefined) process.env.NEONC_REQUIRE_SHARED = saved;
    warn?.mockRestore();
  });
  it("asking sharedOrSkip for it", (ctx) => {
    sharedOrSkip(ctx, "no-such-folder");
    throw new Error("sharedOrSkip returned for a missing folder");
  });
});

describe("skipping a test whose outside piece is missing", () => {
  it("reports the test as skipped, with the reason as the skip note", (ctx) => {
    const suite = ctx.task.file.tasks.find((t) => t.name === "tests that need a missing shared folder") as RunnerTestSuite;
    // vitest keeps a skip's note on the task's result (its reporters print it from there) without
    // declaring the field on TaskResult.
    const note = (t: RunnerTestSuite["tasks"][number]) => (t.result as { note?: string } | undefined)?.note;
    expect(suite.tasks.map((t) => [t.name, t.result?.state, note(t)])).toEqual([["asking sharedOrSkip for it", "skip", WHY]]);
  });

  it("returns the folder when it is there", (ctx) => {
    expect(sharedOrSkip(ctx, "")).toBe(path.resolve(repoRoot, "../shared"));
  });

  it("prints the reason, or fails the test under its switch (and only its own) without skipping it", () => {
    const saved = { shared: process.env.NEONC_REQUIRE_SHARED, targets: process.env.NEONC_REQUIRE_TARGETS };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const ctx = { skip: vi.fn((note: string): never => { throw new Error(`skipped: ${note}`); }) };
    try {
      delete process.env.NEONC_REQUIRE_SHARED;
      delete process.env.NEONC_REQUIRE_TARGETS;
      expect(() => sharedOrSkip(ctx, "no-such-folder")).toThrow(`skipped: ${WHY}`);
      expect(warn).toHaveBeenCalledWith(`skipping: ${WHY}`);
      ctx.skip.mockClear();
      process.env.NEONC_REQUIRE_SHARED = "1";
      expect(() => sharedOrSkip(ctx, "no-such-folder")).toThrow(`${WHY} (and NEONC_REQUIRE_SHARED=1)`);
      expect(() => skipOrFail(ctx, "a piece is missing", "NEONC_REQUIRE_TARGETS")).toThrow("skipped: a piece is missing");
      expect(ctx.skip).toHaveBeenCalledTimes(1);
    } finally {
      for (const [key, value] of [["NEONC_REQUIRE_SHARED", saved.shared], ["NEONC_REQUIRE_TARGETS", saved.targets]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      warn.mockRestore();
    }
  });
});
