// Skipping a test whose outside piece (a target's toolchain, the ../shared folder) is missing:
// vitest must report it as skipped with the reason, never as passed, and a run that asks for the
// piece (NEONC_REQUIRE_TARGETS=1, NEONC_REQUIRE_SHARED=1, as CI sets them) must fail instead.

/** What a test needs to skip itself: vitest's test context, or a stand-in in the helpers' own tests. */
export interface Skippable {
  skip(note: string): never;
}

/** The switches that turn a missing piece from a skip into a failure. */
export type RequireSwitch = "NEONC_REQUIRE_TARGETS" | "NEONC_REQUIRE_SHARED";

/**
 * Ends the running test as skipped with `why` as its note, or fails it when `require`=1. The
 * reason is printed as well: vitest's default reporter shows console output but not skip notes.
 */
export function skipOrFail(ctx: Skippable, why: string, require: RequireSwitch): never {
  if (process.env[require] === "1") throw new Error(`${why} (and ${require}=1)`);
  console.warn(`skipping: ${why}`);
  return ctx.skip(why);
}
