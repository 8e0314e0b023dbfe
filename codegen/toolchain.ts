// Toolchain probe: a rig counts as present only when its compiler builds and links a tiny C
// program with the rig's own flags, and the rig runs it (natively, or under qemu-user with the
// sysroot). Finding the programs is not enough: a cross gcc without its C library
// (libc6-dev-arm64-cross) is on PATH but cannot compile `#include <stdio.h>`, and the codegen
// suites must then skip with the reason instead of failing 100 times. The result is cached per
// rig for the life of the process, because the tests ask for every build.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Rig } from "./targets.js";
import { probeWasm } from "./wasm-toolchain.js";

// The same NEON include as the generated code: arm_neon.h on an ARM compiler, SIMDe elsewhere.
// libm and stdio are used because the harness needs both.
const PROBE_C = `#include <math.h>
#include <stdio.h>
#ifdef PROBE_NEON
#if defined(__ARM_NEON) || defined(__ARM_NEON__)
#include <arm_neon.h>
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/arm/neon.h>
#endif
#endif
int main(void) {
  volatile float x = 2.25f;
  float r = sqrtf(x);
#ifdef PROBE_NEON
  float32x4_t v = vdupq_n_f32(r);
  r = vgetq_lane_f32(vaddq_f32(v, v), 0);
#endif
  printf("probe %.1f\\n", (double)r);
  return 0;
}
`;

const probeCache = new Map<string, string | undefined>();

/**
 * Why the rig cannot build and run C here (one sentence naming the failing step and its first
 * error line), or undefined when a test program built with its compiler and flags runs and
 * prints the right answer. Cached per rig within the process.
 */
export function probeRig(r: Rig): string | undefined {
  const key = JSON.stringify([r.mode, r.cc, r.cflags, r.runPrefix]);
  if (probeCache.has(key)) return probeCache.get(key);
  const why = runProbe(r);
  probeCache.set(key, why);
  return why;
}

function runProbe(r: Rig): string | undefined {
  if (r.mode === "wasm") return probeWasm(r.cc, r.cflags);
  const neon = r.mode !== "native";
  const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-probe-"));
  try {
    writeFileSync(path.join(dir, "probe.c"), PROBE_C);
    const args = [...r.cflags, ...(neon ? ["-DPROBE_NEON"] : []), "probe.c", "-o", "probe", "-lm"];
    const cc = spawnSync(r.cc, args, { cwd: dir, encoding: "utf8", timeout: 120_000 });
    if (cc.error) return `${r.cc} could not be run: ${cc.error.message}`;
    if (cc.status !== 0) return `${r.cc} cannot build a test C program: ${firstErrorLine(`${cc.stderr}\n${cc.stdout}`)}`;

    const exe = path.join(dir, "probe");
    const runner = r.runPrefix[0] ?? exe;
    const run = spawnSync(runner, [...r.runPrefix.slice(1), ...(r.runPrefix.length > 0 ? [exe] : [])], { encoding: "utf8", timeout: 120_000 });
    const what = r.runPrefix.length > 0 ? `${r.runPrefix.join(" ")} cannot run a test program built by ${r.cc}` : `a test program built by ${r.cc} does not run`;
    if (run.error) return `${what}: ${run.error.message}`;
    if (run.status !== 0) return `${what}: ${firstErrorLine(`${run.stderr}\n${run.stdout}`) || `exit status ${run.status ?? run.signal}`}`;
    const want = neon ? "probe 3.0" : "probe 1.5";
    const got = run.stdout.trim();
    if (got !== want) return `a test program built by ${r.cc} printed "${got}" instead of "${want}"`;
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The line of a compiler's or loader's output that says what went wrong: the first one naming an
 * error (not gcc's "In file included from" context, nor collect2's summary after ld's reason),
 * else the first non-empty line.
 */
export function firstErrorLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^(In file included from|from )/.test(l));
  const hit = lines.find((l) => /error|cannot find|undefined reference|not found|no such file/i.test(l) && !l.startsWith("collect2:"));
  return hit ?? lines[0] ?? "";
}
