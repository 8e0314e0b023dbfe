// How the generated C for a target (ir/target.ts) is built and run on this x86 host: natively,
// through SIMDe's NEON-on-x86 headers, under qemu-user with the target's sysroot, or (wasm32) as
// a WebAssembly module run by Node through its generated loader.
import type { Target } from "../ir/target.js";
import { WASM_CC, WASM_CFLAGS } from "./wasm-toolchain.js";

/** How the test rig executes code for a target. */
export type RunMode = "native" | "simde" | "qemu" | "wasm";

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
  if (t.wasm) return ["wasm"];
  return t.neon ? ["qemu", "simde"] : ["native"];
}

/** The rig for a target run in `mode`; throws when the combination makes no sense. */
export function rigFor(t: Target, mode: RunMode, opt = "-O2"): Rig {
  if ((t.wasm === true) !== (mode === "wasm")) throw new Error(t.wasm ? `target ${t.name} builds a WebAssembly module, run with mode wasm` : `target ${t.name} is not a WebAssembly target`);
  switch (mode) {
    case "wasm":
      // The harness is main.mjs, run by this Node (the build's exe is that file).
      return { mode, cc: WASM_CC, cflags: [...STRICT_FLAGS, opt, ...WASM_CFLAGS], runPrefix: [process.execPath] };
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
