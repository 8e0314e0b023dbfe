// The 16x8 mode in C (int16 activations x int8 weights, int64 accumulators, wide requantization)
// against the interpreter, bit for bit, on c99 (native), aarch64 (SIMDe and qemu),
// aarch64+dotprod (qemu) and armv7 (qemu):
// - the wide fixed-point helpers (codegen/fixed-point-wide-c.ts) against ir/fixed-point.ts's
//   multiplyWide on accumulators up to 2^53 (every shift, every rounding, exact ties and their
//   neighbours, INT32 and 2^32 edges, zero multipliers);
// - random QConv / QMatMul graphs (shapes drawn by fast-check: groups, depthwise, strides,
//   dilations, pads, per-channel packed/split and per-tensor requantization, int8/uint8/int16
//   outputs) for all four roundings, on full-range, extreme and small (tie-rich) inputs;
// - sums far beyond int32: K = 4096 (QMatMul), K = 509 x 5 = 2545 (im2col QConv: partial blocks
//   and a k tail in the GEMM) and a 600-tap depthwise conv (two partial-sum blocks), with
//   every product at +-2^22, biases at the INT32 edges, positive shifts that saturate.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { multiplyWide, ROUNDINGS, type Rounding } from "../../ir/fixed-point.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { FIXED_POINT_WIDE_C } from "../../codegen/fixed-point-wide-c.js";
import { roundingSuffix } from "../../codegen/fixed-point-c.js";
import type { Rig } from "../../codegen/targets.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, DRIVER_RIGS, checkBitExact, countDiffs, expectNoFloat, itOnRigs, runInt32Driver } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

// ---- the wide fixed-point helpers ------------------------------------------------------------

const TWO53 = 2 ** 53;

/** Accumulators (|acc| < 2^53), multipliers and shifts. */
function wideCases(): { acc: number[]; m: number[]; s: number[] } {
  const next = randomSource(777);
  const acc: number[] = [], m: number[] = [], s: number[] = [];
  const push = (a: number, mm: number, ss: number) => {
    if (Math.abs(a) >= TWO53) return;
    acc.push(a);
    m.push(mm);
    s.push(ss);
  };
  const randInt = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const special = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), -(2 ** 32) - 1,
    4096 * 32767 * 127, -4096 * 32768 * 128, 2 ** 52, -(2 ** 52), TWO53 - 1, -(TWO53 - 1)];
  const specialM = [2 ** 30, 2 ** 30 + 1, 3 * 2 ** 29, 2 ** 31 - 1];
  for (let sh = -31; sh <= 30; sh++) {
    for (const a of special) for (const mm of specialM) push(a, mm, sh);
    for (const a of special) push(a, 0, sh);
    for (let i = 0; i < 1200; i++) {
      const bits = randInt(0, 53);
      push(Math.floor(next() * 2 ** bits) * (next() < 0.5 ? -1 : 1), randInt(2 ** 30, 2 ** 31 - 1), sh);
    }
    // Exact ties of acc * m / 2^(31 - shift) (with m = 2^30: acc = odd * 2^-shift, which also makes
    // gemmlowp's second rounding tie) and their neighbours, small and beyond int32.
    for (let i = 0; i < 120; i++) {
      const small = 2 * randInt(-2000, 2000) + 1;
      const big = 2 * Math.floor(next() * 2 ** Math.max(1, 50 + Math.min(sh, 0))) + 1;
      for (const odd of [small, -small, big, -big]) {
        if (sh <= 0) for (const d of [-1, 0, 1]) push(odd * 2 ** -sh + d, 2 ** 30, sh);
        if (sh === 1) for (const d of [-1, 0, 1]) push(odd + d, 3 * 2 ** 29, sh);
      }
    }
  }
  return { acc, m, s };
}

const WC = wideCases();
const nWide = WC.acc.length;
const wideExpected = ROUNDINGS.map((r) => Int32Array.from(WC.acc, (a, i) => multiplyWide(a, WC.m[i]!, WC.s[i]!, r)));

function wideDriver(): string {
  const calls = ROUNDINGS.map((r, k) => `    out[(size_t)${k} * n + i] = neonc_fpw_${roundingSuffix(r)}_s64(acc[i], m[i], s[i]);`).join("\n");
  return `/* Test driver: every wide requantization helper on the cases in argv[1], results to argv[2]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
${FIXED_POINT_WIDE_C}
int main(int argc, char **argv) {
  FILE *f;
  long bytes;
  size_t n, i;
  int64_t *acc;
  int32_t *m, *s, *out;
  unsigned char *buf;
  if (argc != 3 || !(f = fopen(argv[1], "rb"))) return 2;
  fseek(f, 0, SEEK_END);
  bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  n = (size_t)bytes / 16;
  buf = (unsigned char *)malloc((size_t)bytes);
  out = (int32_t *)malloc(${ROUNDINGS.length} * n * sizeof(int32_t));
  if (!buf || !out || fread(buf, 1, (size_t)bytes, f) != (size_t)bytes) return 3;
  fclose(f);
  acc = (int64_t *)(void *)buf;
  m = (int32_t *)(void *)(buf + 8 * n);
  s = m + n;
  for (i = 0; i < n; i++) {
${calls}
  }
  if (!(f = fopen(argv[2], "wb")) || fwrite(out, sizeof(int32_t), ${ROUNDINGS.length} * n, f) != ${ROUNDINGS.length} * n) return 4;
  fclose(f);
  free(buf);
  free(out);
  return 0;
}
`;
}

function runWideDriver(rig: Rig): Int32Array {
  const bin = new Uint8Array(16 * nWide);
  bin.set(new Uint8Array(BigInt64Array.from(WC.acc, (a) => BigInt(a)).buffer), 0);
  bin.set(new Uint8Array(Int32Array.from(WC.m).buffer), 8 * nWide);
  bin.set(new Uint8Array(Int32Array.from(WC.s).buffer), 12 * nWide);
  return runInt32Driver(rig, "fpw", wideDriver(), bin);
}

describe("wide fixed-point C helpers are bit-exact with multiplyWide", () => {
  it(`has a case set beyond int32 with ties and saturation (${nWide} cases)`, () => {
    expect(nWide).toBeGreaterThan(80000);
    expect(WC.acc.filter((a) => Math.abs(a) > 2 ** 40).length).toBeGreaterThan(10000);
    // Exact ties exist where the roundings disagree, and results saturate both ways.
    const [gemmlowp, , , halfEven] = wideExpected;
    let differ = 0, satHi = 0, satLo = 0;
    for (let i = 0; i < nWide; i++) {
      if (gemmlowp![i] !== halfEven![i]) differ++;
      if (halfEven![i] === 2 ** 31 - 1) satHi++;
      if (halfEven![i] === -(2 ** 31)) satLo++;
    }
    expect(differ).toBeGreaterThan(1000);
    expect(Math.min(satHi, satLo)).toBeGreaterThan(1000);
  });

  itOnRigs(DRIVER_RIGS, (target, rig) => {
    const got = runWideDriver(rig);
    ROUNDINGS.forEach((r, k) => {
      const run = got.subarray(k * nWide, (k + 1) * nWide), want = wideExpected[k]!;
      const { bad, first } = countDiffs(run, want, (i) => `acc=${WC.acc[i]} m=${WC.m[i]} shift=${WC.s[i]}: C ${run[i]}, interpreter ${want[i]}`);
      expect(bad, `${target}/${rig.mode} ${r}: ${bad} of ${nWide} differ, first ${first}`).toBe(0);
    });
  });
});

// ---- random 16x8 graphs ----------------------------------------------------------------------

const next = randomSource(16_8);
const ri = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
const list = (v: readonly number[]) => `[${v.join(", ")}]`;
const konst = (name: string, dt: string, shape: number[], v: number[]) => `  %${name} = const ${dt}[${shape.join(",")}] ${list(v)}`;
const weights = (n: number) => Array.from({ length: n }, () => (next() < 0.05 ? (next() < 0.5 ? -128 : 127) : ri(-127, 127)));
/** A bias with the INT32 edges among ordinary values. */
const biases = (n: number, mag: number) => Array.from({ length: n }, (_, i) => [2 ** 31 - 1, -(2 ** 31), -(2 ** 31 - 1)][i % 7] ?? ri(-mag, mag));
/** Multipliers, a third exactly 2^30 (exact ties are frequent then). */
const mults = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 ** 30 : ri(2 ** 30, 2 ** 31 - 1)));

/** Requantization attributes: `spread` > 3 gives unpackable shifts (int32 multipliers + int8 shifts). */
function requant(n: number, base: number, spread: number, r: Rounding): string {
  const shifts = Array.from({ length: n }, (_, i) => Math.max(-31, Math.min(30, base + (i === 1 ? spread : ri(0, Math.min(spread, 3))))));
  return `multiplier=${list(mults(n))}, shift=${list(shifts)}, rounding="${r}"`;
}

const OUTS = [
  { dt: "i8", zp: () => ri(-20, 20), bits: 7 },
  { dt: "u8", zp: () => ri(100, 150), bits: 7 },
  { dt: "i16", zp: () => ri(-300, 300), bits: 15 },
] as const;

interface ConvShape { group: number; Mg: number; Kw: number; stride: number; dil: number; padL: number; padR: number }
const C_IN = 16;
const convShape = fc.record({
  group: fc.constantFrom(1, 2, 4, 8, 16),
  Mg: fc.integer({ min: 1, max: 6 }),
  Kw: fc.integer({ min: 1, max: 7 }),
  stride: fc.integer({ min: 1, max: 3 }),
  dil: fc.integer({ min: 1, max: 3 }),
  padL: fc.integer({ min: 0, max: 6 }),
  padR: fc.integer({ min: 0, max: 6 }),
});
/** Fixed shapes (im2col, strided + dilated, grouped, depthwise, pointwise) and sampled ones. */
const SHAPES: ConvShape[] = [
  { group: 1, Mg: 6, Kw: 3, stride: 1, dil: 1, padL: 1, padR: 1 },
  { group: 1, Mg: 8, Kw: 5, stride: 2, dil: 2, padL: 4, padR: 2 },
  { group: 4, Mg: 2, Kw: 3, stride: 1, dil: 1, padL: 1, padR: 1 },
  { group: 16, Mg: 2, Kw: 5, stride: 2, dil: 2, padL: 4, padR: 2 },
  { group: 16, Mg: 1, Kw: 3, stride: 1, dil: 1, padL: 2, padR: 0 },
  { group: 1, Mg: 5, Kw: 1, stride: 1, dil: 1, padL: 0, padR: 0 },
  ...fc.sample(convShape, 6).map((s) => ({ ...s, padL: Math.min(s.padL, (s.Kw - 1) * s.dil), padR: Math.min(s.padR, (s.Kw - 1) * s.dil) })),
];
const MM_K = 43;

interface Part { readonly inputs: string; readonly consts: string[]; readonly body: string[] }

function smallPart(): Part {
  const consts: string[] = [];
  const body: string[] = [];
  SHAPES.forEach((sh, i) => {
    const M = sh.group * sh.Mg, Cg = C_IN / sh.group;
    consts.push(konst(`w${i}`, "i8", [M, Cg, sh.Kw], weights(M * Cg * sh.Kw)), konst(`b${i}`, "i32", [M], biases(M, 1 << 24)));
  });
  consts.push(konst("wm", "i8", [MM_K, 10], weights(MM_K * 10)), konst("bm", "i32", [10], biases(10, 1 << 24)));
  // Each shape under two of the roundings (every rounding meets every kind of shape across the
  // list); the tie and QMatMul nodes under all four.
  SHAPES.forEach((sh, i) => {
    for (const r of [ROUNDINGS[i % 4]!, ROUNDINGS[(i + 1) % 4]!]) {
      const s = roundingSuffix(r);
      const M = sh.group * sh.Mg, K = (C_IN / sh.group) * sh.Kw;
      const o = OUTS[i % OUTS.length]!;
      // Full-range accumulators are about sqrt(K) * 2^22 (plus the bias); aim the result at the output's bits.
      const base = o.bits - Math.round(Math.log2(Math.sqrt(K) * 2 ** 22)) - (i % 2);
      const perTensor = i % 4 === 3;
      const rq = perTensor ? `multiplier=[${2 ** 30}], shift=[${base}], rounding="${r}"` : requant(M, base, i % 4 === 1 ? 6 : 3, r);
      body.push(`  %c${i}_${s} = QConv(%x, %w${i}, %b${i}) {kernel_shape=[${sh.Kw}], strides=[${sh.stride}], dilations=[${sh.dil}], pads=[${sh.padL}, ${sh.padR}], group=${sh.group}, ${rq}, y_zero_point=${o.zp()}, out_dtype="${o.dt}"}`);
    }
  });
  for (const r of ROUNDINGS) {
    const s = roundingSuffix(r);
    // Ties: small inputs and m = 2^30 with shift -2 divide by 8 exactly; a clamp narrower than the type.
    body.push(`  %t_${s} = QConv(%x, %w0) {kernel_shape=[3], pads=[1, 1], multiplier=[${2 ** 30}], shift=[-2], rounding="${r}", y_zero_point=3, qmin=-100, qmax=90}`);
    body.push(`  %m_${s} = QMatMul(%xm, %wm, %bm) {${requant(10, 15 - 28, 2, r)}, y_zero_point=-7, out_dtype="i16"}`);
    body.push(`  %mt_${s} = QMatMul(%xm, %wm) {multiplier=[${2 ** 30 + 12345}], shift=[-20], rounding="${r}", y_zero_point=1}`);
  }
  return { inputs: `%x: i16[1,${C_IN},T], %xm: i16[2,T,${MM_K}]`, consts, body };
}

/** int16 values: full range with extremes and zero runs, or small ones (tie-rich). */
function int16s(n: number, r: () => number, small: boolean): number[] {
  return Array.from({ length: n }, () => {
    const u = r();
    if (small) return Math.floor(r() * 17) - 8;
    if (u < 0.1) return u < 0.05 ? 32767 : -32768;
    if (u < 0.15) return 0;
    return Math.floor(r() * 65536) - 32768;
  });
}

function smallInputs(T: number, seed: number, small: boolean): Record<string, Tensor> {
  const r = randomSource(seed);
  return {
    x: fromNumbers("i16", [1, C_IN, T], int16s(C_IN * T, r, small)),
    xm: fromNumbers("i16", [2, T, MM_K], int16s(2 * T * MM_K, r, small)),
  };
}

// ---- accumulators far beyond int32 ------------------------------------------------------------

const BIG_K = 4096, BIG_C = 509, BIG_KW = 5, DW_KW = 600, DW_T = 700;

function bigPart(): Part {
  const r = randomSource(99);
  const sign = () => (r() < 0.5 ? -1 : 1);
  // QMatMul w[4096, 6]: columns 0 and 4 all +127, column 1 all -128, the rest random extremes.
  const wm: number[] = [];
  for (let k = 0; k < BIG_K; k++) for (let n = 0; n < 6; n++) wm.push(n === 0 || n === 4 ? 127 : n === 1 ? -128 : sign() * 127);
  // QConv w[4, 509, 5]: row 0 all +127, row 1 all -128, rows 2-3 random extremes.
  const wc: number[] = [];
  for (let m = 0; m < 4; m++) for (let k = 0; k < BIG_C * BIG_KW; k++) wc.push(m === 0 ? 127 : m === 1 ? -128 : sign() * 127);
  const wd = [...new Array<number>(DW_KW).fill(127), ...Array.from({ length: DW_KW }, () => (r() < 0.5 ? -128 : 127))];
  const consts = [
    konst("wk", "i8", [BIG_K, 6], wm), konst("bk", "i32", [6], [2 ** 31 - 1, -(2 ** 31), 5, -(2 ** 31), 2 ** 31 - 1, 0]),
    konst("wc", "i8", [4, BIG_C, BIG_KW], wc), konst("bc", "i32", [4], [-(2 ** 31), 2 ** 31 - 1, 17, -17]),
    konst("wd", "i8", [2, 1, DW_KW], wd), konst("bd", "i32", [2], [2 ** 31 - 1, -(2 ** 31)]),
  ];
  const body: string[] = [];
  for (const rr of ROUNDINGS) {
    const s = roundingSuffix(rr);
    // 4096 * 2^22 = 2^34: shift -20 brings it to int16; +3 saturates everything beyond int32 (no pre-shift clipping);
    // per column: [-20, -21, -27, -16, 3, -31].
    body.push(`  %km_${s} = QMatMul(%xk, %wk, %bk) {multiplier=${list(mults(6))}, shift=[-20, -21, -27, -16, 3, -31], rounding="${rr}", y_zero_point=2, out_dtype="i16"}`);
    body.push(`  %kmt_${s} = QMatMul(%xk, %wk) {multiplier=[${2 ** 30}], shift=[-27], rounding="${rr}", y_zero_point=-1}`);
    body.push(`  %kc_${s} = QConv(%xc, %wc, %bc) {kernel_shape=[${BIG_KW}], pads=[2, 2], multiplier=${list(mults(4))}, shift=[-20, -20, -19, 2], rounding="${rr}", out_dtype="i16"}`);
    body.push(`  %kd_${s} = QConv(%xd, %wd, %bd) {kernel_shape=[${DW_KW}], pads=[10, 10], group=2, multiplier=[${2 ** 30}, ${2 ** 31 - 1}], shift=[-18, -19], rounding="${rr}", out_dtype="i16"}`);
  }
  return { inputs: `%xk: i16[1,3,${BIG_K}], %xc: i16[1,${BIG_C},12], %xd: i16[1,2,${DW_T}]`, consts, body };
}

/** Both parts in one graph (one C build per rig). */
function graphText(): { text: string; outputs: string[] } {
  const parts = [smallPart(), bigPart()];
  const body = parts.flatMap((p) => p.body);
  const outputs = body.map((l) => /%(\w+) =/.exec(l)![1]!);
  const head = `graph @g(${parts.map((p) => p.inputs).join(", ")}) -> (${outputs.map((o) => "%" + o).join(", ")})`;
  return { text: `${head} {\n${parts.flatMap((p) => p.consts).join("\n")}\n${body.join("\n")}\n}`, outputs };
}

function bigInputs(seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const ext = () => (r() < 0.5 ? -32768 : 32767);
  // Row 0 all +32767, row 1 all -32768, row 2 random extremes; conv channels constant over time.
  const xm = Array.from({ length: 3 * BIG_K }, (_, i) => (i < BIG_K ? 32767 : i < 2 * BIG_K ? -32768 : ext()));
  const chan = Array.from({ length: BIG_C }, (_, c) => (c % 3 === 0 ? 32767 : c % 3 === 1 ? -32768 : ext()));
  const xc = Array.from({ length: BIG_C * 12 }, (_, i) => (seed === 1 ? 32767 : chan[Math.floor(i / 12)]!));
  const xd = Array.from({ length: 2 * DW_T }, (_, i) => (i < DW_T ? 32767 : ext()));
  return { xk: fromNumbers("i16", [1, 3, BIG_K], xm), xc: fromNumbers("i16", [1, BIG_C, 12], xc), xd: fromNumbers("i16", [1, 2, DW_T], xd) };
}

// ---- checks -----------------------------------------------------------------------------------

const G = graphText();
const g = parseGraph(G.text);
const SETS = [{ ...smallInputs(29, 1, false), ...bigInputs(1) }, { ...smallInputs(21, 2, false), ...bigInputs(2) }, { ...smallInputs(23, 3, true), ...bigInputs(2) }];
const REFS = SETS.map((s) => runGraph(g, s));

describe("16x8 QConv / QMatMul in C are bit-exact with the interpreter", () => {
  it("the cases are not trivial (beyond int32, saturation, ties, the roundings disagree)", () => {
    // The big graph's accumulators pass 2^31: all +32767 x 127 over 4096 products is 2^34.
    expect(BIG_K * 32767 * 127).toBeGreaterThan(2 ** 33);
    expect(DW_KW * 32767 * 127).toBeGreaterThan(2 ** 31);
    const differ = (ref: Record<string, Tensor>, name: string) => new Set(ROUNDINGS.map((r) => Array.from(ref[`${name}_${roundingSuffix(r)}`]!.data as Int16Array).join(","))).size > 1;
    expect(differ(REFS[2]!, "t"), "ties: the roundings disagree on the small inputs").toBe(true);
    expect(differ(REFS[0]!, "km")).toBe(true);
    const m = Array.from(REFS[0]!["km_gemmlowp"]!.data as Int16Array);
    expect(m.includes(32767) && m.includes(-32768), "the positive shift saturates both ways").toBe(true);
    expect(new Set(m).size).toBeGreaterThan(8);
    const c = Array.from(REFS[0]!["c0_gemmlowp"]!.data as Int8Array);
    expect(new Set(c).size).toBeGreaterThan(15);
    expect(SHAPES.length).toBe(12);
  });

  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 32 } }));

  it("has no floating point in the generated 16x8 code", () => {
    expectNoFloat(g, ["c99", "aarch64", "armv7"], { T: 32 });
  });
});
