// The C fixed-point helpers (codegen/fixed-point-c.ts) against ir/fixed-point.ts, bit for bit:
// a C driver runs every rounding, scalar and NEON, over a large set of accumulators,
// multipliers and shifts (random, INT32_MIN/MAX, exact ties and their neighbours, every shift)
// on c99 natively, aarch64 through SIMDe, and aarch64 / aarch64+dotprod / armv7 under qemu.
import { describe, expect, it } from "vitest";
import { INT32_MAX, INT32_MIN, multiplyByQuantizedMultiplier, ROUNDINGS } from "../../ir/fixed-point.js";
import { FIXED_POINT_NEON_C, FIXED_POINT_SCALAR_C, roundingSuffix } from "../../codegen/fixed-point-c.js";
import { type Rig } from "../../codegen/targets.js";
import { getTarget } from "../../ir/target.js";
import { DRIVER_RIGS, countDiffs, itOnRigs, runInt32Driver } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

/** Cases as three parallel arrays, length a multiple of 4. */
function cases(): { x: Int32Array; m: Int32Array; s: Int32Array } {
  const next = randomSource(12345);
  const X: number[] = [], M: number[] = [], S: number[] = [];
  const push = (x: number, m: number, s: number) => {
    X.push(Math.max(INT32_MIN, Math.min(INT32_MAX, x)));
    M.push(m);
    S.push(s);
  };
  const randInt = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const specialX = [INT32_MIN, INT32_MIN + 1, -65536, -1, 0, 1, 65535, INT32_MAX - 1, INT32_MAX];
  const specialM = [2 ** 30, 2 ** 30 + 1, 3 * 2 ** 29, 2 ** 31 - 1];
  for (let s = -31; s <= 30; s++) {
    for (const x of specialX) for (const m of specialM) push(x, m, s);
    // A zero multiplier (what quantizeMultiplier gives for tiny reals) with shift 0.
    if (s === 0) for (const x of specialX) push(x, 0, 0);
    for (let i = 0; i < 1500; i++) {
      // Magnitudes spread over every bit length, both signs.
      const bits = randInt(0, 31);
      const x = Math.floor(next() * 2 ** bits) * (next() < 0.5 ? -1 : 1);
      push(x, randInt(2 ** 30, 2 ** 31 - 1), s);
    }
    // Exact ties of x*m / 2^(31-s) and their neighbours. With m = 2^30: x = odd * 2^-s (s <= 0).
    // With m = 3*2^29: x = odd * 2^(1-s) (s <= 1). Both signs; also ties of gemmlowp's second rounding.
    for (let i = 0; i < 150; i++) {
      const odd = 2 * randInt(-2000, 2000) + 1;
      if (s <= 0) for (const d of [-1, 0, 1]) push(odd * 2 ** -s + d, 2 ** 30, s);
      if (s <= 1) for (const d of [-1, 0, 1]) push(odd * 2 ** (1 - s) + d, 3 * 2 ** 29, s);
      const big = (2 * randInt(-(2 ** 20), 2 ** 20) + 1) * 2 ** Math.max(0, -s);
      push(big, 2 ** 30, s);
    }
  }
  while (X.length % 4 !== 0) push(0, 2 ** 30, 0);
  return { x: Int32Array.from(X), m: Int32Array.from(M), s: Int32Array.from(S) };
}

const NEON_INCLUDE = `#if defined(__ARM_NEON) || defined(__ARM_NEON__)
#include <arm_neon.h>
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/arm/neon.h>
#endif`;

function driver(neon: boolean): string {
  const names = ROUNDINGS.map(roundingSuffix);
  const scalar = names.map((n, r) => `    out[(size_t)${r} * n + i] = neonc_fp_${n}_s32(x[i], m[i], s[i]);`).join("\n");
  const vector = names.map((n, r) => `    vst1q_s32(out + (size_t)${ROUNDINGS.length + r} * n + i, neonc_fp_${n}_s32x4(vx, vm, vs));`).join("\n");
  return `/* Test driver: runs every fixed-point helper on the cases in argv[1], writes argv[2]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
${neon ? NEON_INCLUDE : ""}
${FIXED_POINT_SCALAR_C}
${neon ? FIXED_POINT_NEON_C : ""}
int main(int argc, char **argv) {
  FILE *f;
  long bytes;
  size_t n, i, outs = ${neon ? 2 * ROUNDINGS.length : ROUNDINGS.length};
  int32_t *buf, *x, *m, *s, *out;
  if (argc != 3 || !(f = fopen(argv[1], "rb"))) return 2;
  fseek(f, 0, SEEK_END);
  bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  n = (size_t)bytes / 12;
  buf = (int32_t *)malloc((size_t)bytes);
  out = (int32_t *)malloc(outs * n * sizeof(int32_t));
  if (!buf || !out || fread(buf, 1, (size_t)bytes, f) != (size_t)bytes) return 3;
  fclose(f);
  x = buf; m = buf + n; s = buf + 2 * n;
  for (i = 0; i < n; i++) {
${scalar}
  }
${neon ? `  for (i = 0; i < n; i += 4) {
    int32x4_t vx = vld1q_s32(x + i), vm = vld1q_s32(m + i), vs = vld1q_s32(s + i);
${vector}
  }` : ""}
  if (!(f = fopen(argv[2], "wb")) || fwrite(out, sizeof(int32_t), outs * n, f) != outs * n) return 4;
  fclose(f);
  free(buf);
  free(out);
  return 0;
}
`;
}

const C = cases();
const n = C.x.length;
const expected = ROUNDINGS.map((r) => {
  const e = new Int32Array(n);
  for (let i = 0; i < n; i++) e[i] = multiplyByQuantizedMultiplier(C.x[i]!, C.m[i]!, C.s[i]!, r);
  return e;
});

function runDriver(rig: Rig, neon: boolean): Int32Array {
  const bin = new Uint8Array(12 * n);
  bin.set(new Uint8Array(C.x.buffer), 0);
  bin.set(new Uint8Array(C.m.buffer), 4 * n);
  bin.set(new Uint8Array(C.s.buffer), 8 * n);
  return runInt32Driver(rig, "fp", driver(neon), bin);
}

function compare(got: Int32Array, neon: boolean, label: string): void {
  const kinds = neon ? ["scalar", "neon"] : ["scalar"];
  kinds.forEach((kind, v) => {
    ROUNDINGS.forEach((r, ri) => {
      const run = got.subarray((v * ROUNDINGS.length + ri) * n, (v * ROUNDINGS.length + ri + 1) * n), want = expected[ri]!;
      const { bad, first } = countDiffs(run, want, (i) => `x=${C.x[i]} m=${C.m[i]} shift=${C.s[i]}: C ${run[i]}, interpreter ${want[i]}`);
      expect(bad, `${label} ${kind} ${r}: ${bad} of ${n} differ, first ${first}`).toBe(0);
    });
  });
}

describe("fixed-point C helpers are bit-exact with ir/fixed-point.ts", () => {
  it(`has a case set with ties and extremes (${n} cases)`, () => {
    expect(n).toBeGreaterThan(100000);
    // Exact ties exist where the roundings disagree.
    let differ = 0;
    for (let i = 0; i < n; i++) if (expected[0]![i] !== expected[3]![i]) differ++;
    expect(differ).toBeGreaterThan(1000);
  });

  itOnRigs(DRIVER_RIGS, (target, rig) => {
    const neon = getTarget(target).neon;
    compare(runDriver(rig, neon), neon, `${target}/${rig.mode}`);
  });
});
