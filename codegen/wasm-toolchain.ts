// The WebAssembly toolchain of the wasm32 target: clang for wasm32 with SIMD128, wasm-ld, wasi-libc
// (for libm, memcpy and malloc only: nothing that needs a WASI runtime) and SIMDe, whose NEON
// headers map the NEON kernels onto wasm_simd128 where they can. The flags live here once, for the
// rig that builds and runs a module under Node, for the Makefile `neonc compile` writes, and for the
// probe that decides whether this machine can build wasm32 at all.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Wasm } from "./wasm-api.js";

/** The Debian clang that has the wasm32 backend (clang-14) and finds wasm-ld-14 by itself. */
export const WASM_CC = "clang-14";

/** Where libsimde-dev puts SIMDe. */
export const SIMDE_DIR = "/usr/include/simde";

/**
 * Compile flags beyond the strict C99 set: wasm32 with SIMD128 against wasi-libc's headers.
 * clang warns about static inline helpers a model does not call (gcc does not), and about
 * SIMDe's own `vectorize` loop hints it cannot honour in its portable fallbacks; neither says
 * anything about the generated code, so both are off for this target only.
 */
export const WASM_CFLAGS = ["--target=wasm32-wasi", "-msimd128", "-Wno-unused-function", "-Wno-pass-failed"] as const;

/**
 * Link flags: a library module with no entry point and no start files (no WASI _start), a 1 MiB
 * stack (wasm-ld's default is 64 KiB), and libm. The exports are named in wasm.c.
 */
export const WASM_LDFLAGS = ["-nostartfiles", "-Wl,--no-entry", "-Wl,-z,stack-size=1048576"] as const;

/**
 * An include folder that holds only SIMDe: -I/usr/include would let glibc's headers shadow
 * wasi-libc's in a wasm build. Made once under the system temp folder (a symlink to SIMDE_DIR).
 */
export function simdeIncludeDir(): string {
  const dir = path.join(os.tmpdir(), "neonc-wasm-include");
  const link = path.join(dir, "simde");
  if (!existsSync(link)) {
    mkdirSync(dir, { recursive: true });
    try {
      symlinkSync(SIMDE_DIR, link);
    } catch (e) {
      // Another process made it first.
      if (!existsSync(link)) throw e;
    }
  }
  return dir;
}

/** The names a module imports ("module.name"); a wasm32 build must import none. */
export function wasmImports(bytes: Uint8Array): string[] {
  return Wasm.Module.imports(new Wasm.Module(bytes)).map((i) => `${i.module}.${i.name}`);
}

const PROBE_C = `#include <math.h>
#include <stdlib.h>
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/arm/neon.h>
__attribute__((export_name("probe"))) float probe(float x) {
  float32x4_t v = vdupq_n_f32(sqrtf(x));
  float *p = (float *)aligned_alloc(16, 16), r;
  if (!p) return -1.0f;
  vst1q_f32(p, vaddq_f32(v, v));
  r = p[0] * expf(0.0f);
  free(p);
  return r;
}
`;

/**
 * Why wasm32 modules cannot be built here (one sentence), or undefined when a probe module with
 * SIMDe's NEON, libm and malloc builds with `cc` and `cflags`, imports nothing and computes the
 * right answer in this process's WebAssembly engine.
 */
export function probeWasm(cc: string, cflags: readonly string[]): string | undefined {
  if (!existsSync(path.join(SIMDE_DIR, "arm/neon.h"))) return `missing the SIMDe headers (libsimde-dev)`;
  const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-wasm-probe-"));
  try {
    writeFileSync(path.join(dir, "probe.c"), PROBE_C);
    const args = [...cflags, "-I", simdeIncludeDir(), ...WASM_LDFLAGS, "probe.c", "-o", "probe.wasm", "-lm"];
    const r = spawnSync(cc, args, { cwd: dir, encoding: "utf8", timeout: 120_000 });
    if (r.error) return `${cc} could not be run: ${r.error.message}`;
    if (r.status !== 0) {
      const first = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).find((l) => /error|cannot find|not found/i.test(l)) ?? `exit status ${r.status}`;
      return `${cc} cannot build a wasm32 test module (needs lld-14, wasi-libc and libclang-rt-14-dev-wasm32): ${first}`;
    }
    const bytes = readFileSync(path.join(dir, "probe.wasm"));
    const imports = wasmImports(bytes);
    if (imports.length > 0) return `a wasm32 test module built by ${cc} imports ${imports.join(", ")}`;
    const inst = new Wasm.Instance(new Wasm.Module(bytes), {});
    const got = (inst.exports.probe as (x: number) => number)(2.25);
    if (got !== 3) return `a wasm32 test module built by ${cc} returned ${got} instead of 3`;
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
