// Code generation targets: what each one can execute and how the test rig builds and runs it.
//
// A target is data, not a fork of the generator: kernels read `neon`, `arch` and `fma` to
// choose between NEON intrinsics and scalar C from one emitter. The rig part says which cross
// compiler and flags build the generated code, and how to run it (natively, through SIMDe's
// NEON-on-x86 headers on the host, or under qemu-user with the target's sysroot).

export type TargetName = "c99" | "aarch64" | "armv7" | "aarch64+dotprod";
export const TARGET_NAMES: readonly TargetName[] = ["c99", "aarch64", "armv7", "aarch64+dotprod"];

export interface Target {
  readonly name: TargetName;
  readonly doc: string;
  /** NEON intrinsics (arm_neon.h) are available. */
  readonly neon: boolean;
  /** Instruction set the NEON code may use: armv7 lacks vfmaq_laneq, vaddvq, vdivq... */
  readonly arch: "generic" | "aarch64" | "armv7";
  /** Floats per SIMD register (1 for scalar). */
  readonly lanes: 1 | 4;
  /** Fused multiply-add is available (aarch64 always; armv7 with neon-vfpv4). */
  readonly fma: boolean;
  /** SDOT/UDOT for the integer kernels. */
  readonly dotprod: boolean;
  /** Cross toolchain that builds for the device, and the qemu-user runner with its sysroot. */
  readonly cross?: { readonly cc: string; readonly cflags: readonly string[]; readonly qemu: string; readonly sysroot: string };
}

const TARGETS: Readonly<Record<TargetName, Target>> = {
  c99: { name: "c99", doc: "portable scalar C99", neon: false, arch: "generic", lanes: 1, fma: false, dotprod: false },
  aarch64: {
    name: "aarch64", doc: "ARMv8-A 64-bit with NEON (fp32 FMA)", neon: true, arch: "aarch64", lanes: 4, fma: true, dotprod: false,
    cross: { cc: "aarch64-linux-gnu-gcc", cflags: ["-march=armv8-a"], qemu: "qemu-aarch64", sysroot: "/usr/aarch64-linux-gnu" },
  },
  "aarch64+dotprod": {
    name: "aarch64+dotprod", doc: "ARMv8.2-A with NEON and the dot-product extension (for integer kernels)", neon: true, arch: "aarch64", lanes: 4, fma: true, dotprod: true,
    cross: { cc: "aarch64-linux-gnu-gcc", cflags: ["-march=armv8.2-a+dotprod"], qemu: "qemu-aarch64", sysroot: "/usr/aarch64-linux-gnu" },
  },
  armv7: {
    name: "armv7", doc: "ARMv7-A 32-bit with NEON, hard-float", neon: true, arch: "armv7", lanes: 4, fma: true, dotprod: false,
    cross: { cc: "arm-linux-gnueabihf-gcc", cflags: ["-march=armv7-a", "-mfpu=neon-vfpv4", "-mfloat-abi=hard"], qemu: "qemu-arm", sysroot: "/usr/arm-linux-gnueabihf" },
  },
};

export function isTargetName(s: string): s is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(s);
}

export function getTarget(name: string): Target {
  if (!isTargetName(name)) throw new Error(`unknown target '${name}' (the targets are ${TARGET_NAMES.join(", ")})`);
  return TARGETS[name];
}

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
