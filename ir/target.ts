// Code-generation targets as data: what each one can execute (NEON, FMA, dot product, vector
// width) and which cross toolchain builds for it. The target travels with a pipeline (the pass
// context's `target`) so a target-aware pass such as `lower` can choose algorithms for it, and
// kernels read `neon`, `arch` and `fma` to choose between NEON intrinsics and scalar C from one
// emitter: a target is data, not a fork of the generator. How codegen builds and runs the code
// for a target on this host (natively, through SIMDe, under qemu) is codegen/targets.ts.

export type TargetName = "c99" | "aarch64" | "armv7" | "aarch64+dotprod" | "wasm32";
export const TARGET_NAMES: readonly TargetName[] = ["c99", "aarch64", "armv7", "aarch64+dotprod", "wasm32"];

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
  /** Builds to a WebAssembly module (model.wasm and its ES module loader) instead of a native program. */
  readonly wasm?: true;
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
  // The aarch64 NEON code through SIMDe, which maps it onto WebAssembly SIMD128 (four f32 lanes).
  // SIMD128 has no fused multiply-add: SIMDe computes vfmaq as a multiply and an add.
  wasm32: {
    name: "wasm32", doc: "WebAssembly with SIMD128 (the NEON code through SIMDe), a module with an ES module loader", neon: true, arch: "aarch64", lanes: 4, fma: false, dotprod: false, wasm: true,
  },
};

export function isTargetName(s: string): s is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(s);
}

export function getTarget(name: string): Target {
  if (!isTargetName(name)) throw new Error(`unknown target '${name}' (the targets are ${TARGET_NAMES.join(", ")})`);
  return TARGETS[name];
}
