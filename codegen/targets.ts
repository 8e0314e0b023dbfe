// How the generated C for a target (ir/target.ts) is built and run on this x86 host: natively,
// through SIMDe's NEON-on-x86 headers, or under qemu-user with the target's sysroot.
import type { Target } from "../ir/target.js";

/** How the test rig executes code for a target. */
export type RunMode = "native" | "simde" | "qemu";

/** A compiler invocation and a command prefix that runs the result. */
export interface Rig {
  readonly mode: RunMode;
  readonly cc: string;
  readonly cflags: readonly string[];
  /** Prepended to the harness command line (empty for native runs). */
  readonly runPrefix: readonly string[];
}

/** Warnings are errors: generated code must build clean everywhere. */
export const STRICT_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"] as const;

/** Ways a target can be run on this x86 host, best first. */
export function runModes(t: Target): RunMode[] {
  return t.neon ? ["qemu", "simde"] : ["native"];
}

/** The rig for a target run in `mode`; throws when the combination makes no sense. */
export function rigFor(t: Target, mode: RunMode, opt = "-O2"): Rig {
  switch (mode) {
    case "native":
    case "simde":
      if (mode === "native" && t.neon) throw new Error(`target ${t.name} cannot run natively on this host; use simde or qemu`);
      if (mode === "simde" && !t.neon) throw new Error(`target ${t.name} has no NEON code to run through SIMDe`);
      return { mode, cc: "gcc", cflags: [...STRICT_FLAGS, opt], runPrefix: [] };
    case "qemu":
      if (!t.cross) throw new Error(`target ${t.name} runs natively, not under qemu`);
      return { mode, cc: t.cross.cc, cflags: [...STRICT_FLAGS, opt, ...t.cross.cflags], runPrefix: [t.cross.qemu, "-L", t.cross.sysroot] };
  }
}

/** Programs a rig needs on PATH (and the sysroot for qemu). */
export function rigTools(r: Rig): string[] {
  return r.mode === "qemu" ? [r.cc, r.runPrefix[0]!] : [r.cc];
}
