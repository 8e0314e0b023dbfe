// The frame of the model suites (test/models/zoo.test.ts, real-models.test.ts): one test per
// model and check, an expected-failures list with one reason per `model/check`, and the rule
// that a listed check must still fail cleanly (one neonc sentence, or numbers off) and that a
// listed check which passes fails the suite, so the list shrinks as neonc grows.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NeoncError } from "../../ir/errors.js";
import type { RunMode } from "../../codegen/targets.js";
import { rigOrSkip } from "../codegen/helpers.js";
import type { CliResult } from "../app/cli/helpers.js";

/** A neonc command that exited with an error, keeping what it printed. */
export class CommandFailed extends Error {
  constructor(readonly result: CliResult, args: string[]) {
    super(`neonc ${args.join(" ")} exited ${result.code}: ${result.stderr.trim().split("\n").pop() ?? ""}`);
  }
}

/** `model/check` → reason, from a list file of `model/check: reason` lines (`#` comments). */
export function readCheckList(file: URL): Map<string, string> {
  return new Map(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()] as const),
  );
}

/** A known failure must be one a user may see: a neonc error of one sentence, or numbers off. */
export function expectCleanFailure(key: string, failure: Error): void {
  if (failure instanceof CommandFailed) {
    const r = failure.result;
    const lines = r.stderr.split("\n").filter((l) => l !== "" && !/^(synthesising calibration inputs|quantize): /.test(l));
    expect([1, 2], `${key}: exit code`).toContain(r.code);
    expect(lines, `${key}: stderr`).toHaveLength(1);
    expect(lines[0]).toMatch(/^neonc: /);
    expect(lines[0]).not.toMatch(/internal error/);
    return;
  }
  const numeric = failure.name === "AssertionError";
  expect(numeric || failure instanceof NeoncError, `${key}: fails with ${failure.name}: ${failure.message}`).toBe(true);
  expect(failure.message.split("\n")[0], `${key}: the error message`).not.toMatch(/internal error/);
}

export interface ModelChecks<M extends { readonly name: string }> {
  readonly title: string;
  readonly models: readonly M[];
  readonly checksOf: (m: M) => string[];
  readonly checks: Readonly<Record<string, (m: M) => Promise<unknown>>>;
  /** The rig each check builds C with (the checks not listed build none). */
  readonly rigOf: Readonly<Record<string, readonly [string, RunMode]>>;
  readonly expected: ReadonlyMap<string, string>;
  /** The list file's path as the message to a user should name it. */
  readonly listFile: string;
  readonly timeoutMs?: number;
}

/** One test per model and check, held to the expected-failures list. */
export function describeModelChecks<M extends { readonly name: string }>(s: ModelChecks<M>): void {
  describe(s.title, () => {
    it("every expected failure names a model and one of its checks", () => {
      const known = new Set(s.models.flatMap((m) => s.checksOf(m).map((c) => `${m.name}/${c}`)));
      expect([...s.expected.keys()].filter((k) => !known.has(k))).toEqual([]);
    });
    for (const m of s.models) {
      for (const c of s.checksOf(m)) {
        const key = `${m.name}/${c}`;
        it(key, async (ctx) => {
          const rig = s.rigOf[c];
          if (rig) rigOrSkip(ctx, ...rig);
          let failure: Error | undefined;
          try {
            await s.checks[c]!(m);
          } catch (e) {
            failure = e as Error;
          }
          const reason = s.expected.get(key);
          if (reason === undefined) {
            if (failure) throw failure;
            return;
          }
          if (!failure) throw new Error(`${key} passes now: remove it from ${s.listFile} (listed as: ${reason})`);
          expectCleanFailure(key, failure);
          console.log(`${key}: fails as expected (${reason}): ${failure.message.split("\n")[0]!.slice(0, 240)}`);
        }, s.timeoutMs);
      }
    }
  });
}
