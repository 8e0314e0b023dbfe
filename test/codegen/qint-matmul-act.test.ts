// QMatMul of two activations (w int8/uint8 with a zero point, possibly batched and broadcast,
// constant or not): first the interpreter's op against a direct reference (fast-check over
// shapes, dtypes, zero points, per-tensor and per-column requantization, every rounding) and its
// error messages; then the generated C against the interpreter, bit for bit, on c99 (native),
// aarch64 (SIMDe and qemu), aarch64+dotprod (qemu) and armv7 (qemu): attention-shaped products
// (Q.K^T with a symbolic N, scores.V with a symbolic K), broadcast batch dims, a plain
// non-constant w[K, N] with per-column requantization, a constant uint8 w, and an int32
// accumulator that wraps (K = 40000 at the extremes), for all four roundings.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requantizeValue, ROUNDINGS, type Rounding } from "../../ir/fixed-point.js";
import { resolveAttrs, type EvalContext } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, typeOfTensor, type Tensor } from "../../ir/types.js";
import { intRange, type DType } from "../../ir/dtype.js";
import { roundingSuffix } from "../../codegen/fixed-point-c.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, expectNoFloat, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

function run(inputs: (Tensor | undefined)[], attrs: Record<string, unknown>): Tensor {
  const def = getOp("QMatMul");
  const a = resolveAttrs(def, attrs as never);
  def.infer(inputs.map((t) => (t ? typeOfTensor(t) : undefined)), a, { numOutputs: 1, constant: () => undefined });
  return def.evaluate(inputs, a, { numOutputs: 1 } as EvalContext)[0]!;
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const toInt32 = (v: number) => {
  const u = ((v % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return u >= 2 ** 31 ? u - 2 ** 32 : u;
};

/**
 * The direct definition: for every output element, sum over k of (x - xzp)(w - wzp) + b[n] taken
 * modulo 2^32 as an int32, requantized with the column's (or the single) multiplier; batch dims
 * broadcast by clamping each index to the operand's dim.
 */
function reference(x: Tensor, w: Tensor, b: Tensor | undefined, a: { xzp: number; wzp: number; m: number[]; s: number[]; r: Rounding; zp: number; out: DType }): number[] {
  const K = w.shape.at(-2)!, N = w.shape.at(-1)!;
  const batched = w.shape.length > 2;
  const M = batched ? x.shape.at(-2)! : prod(x.shape.slice(0, -1));
  const xb = batched ? x.shape.slice(0, -2) : [], wb = batched ? w.shape.slice(0, -2) : [];
  const rank = Math.max(xb.length, wb.length);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const xp = pad(xb), wp = pad(wb);
  const ob = xp.map((d, i) => Math.max(d, wp[i]!));
  const [qmin, qmax] = intRange(a.out);
  const out: number[] = [];
  for (let bi = 0; bi < prod(ob); bi++) {
    let rem = bi, xo = 0, wo = 0, xs = 1, ws = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % ob[d]!;
      rem = Math.floor(rem / ob[d]!);
      xo += (xp[d] === 1 ? 0 : i) * xs;
      wo += (wp[d] === 1 ? 0 : i) * ws;
      xs *= xp[d]!;
      ws *= wp[d]!;
    }
    for (let r = 0; r < M; r++) {
      for (let n = 0; n < N; n++) {
        let acc = b ? Number(b.data[n]) : 0;
        for (let k = 0; k < K; k++) acc += (Number(x.data[(xo * M + r) * K + k]) - a.xzp) * (Number(w.data[(wo * K + k) * N + n]) - a.wzp);
        const c = a.m.length > 1 ? n : 0;
        out.push(requantizeValue(toInt32(acc), a.m[c]!, a.s[c]!, a.r, a.zp, qmin, qmax));
      }
    }
  }
  return out;
}

const dims = (n: number) => fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n, maxLength: n });
const values = (dt: DType, n: number) => fc.array(dt === "u8" ? fc.integer({ min: 0, max: 255 }) : fc.integer({ min: -128, max: 127 }), { minLength: n, maxLength: n });

describe("QMatMul with an activation w (interpreter)", () => {
  it("matches the direct definition over shapes, broadcasting, zero points and roundings", () => {
    const shapes = fc.record({
      batched: fc.boolean(),
      xb: fc.integer({ min: 0, max: 2 }).chain(dims),
      wb: fc.integer({ min: 0, max: 2 }).chain(dims),
      M: fc.integer({ min: 1, max: 4 }), K: fc.integer({ min: 1, max: 9 }), N: fc.integer({ min: 1, max: 5 }),
      xdt: fc.constantFrom<DType>("i8", "u8"), wdt: fc.constantFrom<DType>("i8", "u8"), out: fc.constantFrom<DType>("i8", "u8", "i16"),
      r: fc.constantFrom(...ROUNDINGS), perColumn: fc.boolean(), bias: fc.boolean(), seed: fc.integer(),
    }).map((s) => {
      // Broadcastable batch dims: where both have a dim, one of them is 1 or they agree.
      const wb = s.wb.map((d, i) => {
        const j = s.xb.length - s.wb.length + i;
        return j >= 0 && s.xb[j] !== 1 && d !== 1 ? s.xb[j]! : d;
      });
      return { ...s, wb: s.batched ? (wb.length === 0 ? [1] : wb) : [] };
    });
    fc.assert(fc.property(shapes.chain((s) => {
      // Without batch dims on w, every leading dim of x is rows.
      const xShape = [...s.xb, s.M, s.K];
      const wShape = [...s.wb, s.K, s.N];
      return fc.record({
        s: fc.constant(s), xShape: fc.constant(xShape), wShape: fc.constant(wShape),
        xv: values(s.xdt, prod(xShape)), wv: values(s.wdt, prod(wShape)),
        xzp: s.xdt === "u8" ? fc.integer({ min: 0, max: 255 }) : fc.integer({ min: -128, max: 127 }),
        wzp: s.wdt === "u8" ? fc.integer({ min: 1, max: 255 }) : fc.integer({ min: -128, max: 127 }),
        bv: values("i8", s.N).map((v) => v.map((e) => e * 1000)),
        m: fc.array(fc.integer({ min: 2 ** 30, max: 2 ** 31 - 1 }), { minLength: s.N, maxLength: s.N }),
        sh: fc.array(fc.integer({ min: -12, max: -4 }), { minLength: s.N, maxLength: s.N }),
        zp: fc.integer({ min: 0, max: 100 }),
      });
    }), ({ s, xShape, wShape, xv, wv, xzp, wzp, bv, m, sh, zp }) => {
      const x = fromNumbers(s.xdt, xShape, xv), w = fromNumbers(s.wdt, wShape, wv);
      const b = s.bias ? fromNumbers("i32", [s.N], bv) : undefined;
      const mm = s.perColumn ? m : [m[0]!], ss = s.perColumn ? sh : [sh[0]!];
      const y = run([x, w, b], { x_zero_point: xzp, w_zero_point: wzp, multiplier: mm, shift: ss, rounding: s.r, y_zero_point: zp, out_dtype: s.out });
      expect(Array.from(y.data as Int16Array)).toEqual(reference(x, w, b, { xzp, wzp, m: mm, s: ss, r: s.r, zp, out: s.out }));
    }), { numRuns: 150 });
  });

  it("wraps its int32 accumulator as int32 hardware does", () => {
    const K = 40000;
    const x = fromNumbers("u8", [1, K], new Array<number>(K).fill(255)), w = fromNumbers("u8", [K, 1], new Array<number>(K).fill(255));
    const y = run([x, w], { w_zero_point: 0, multiplier: [2 ** 30], shift: [-20], out_dtype: "i16" });
    // 40000 * 65025 = 2 601 000 000 wraps to -1 693 967 296; / 2^21 = -807.7 rounds to -808.
    expect(Array.from(y.data as Int16Array)).toEqual([-808]);
  });

  it("reads the output shape from the broadcast batch dims", () => {
    const x = fromNumbers("i8", [2, 1, 3, 4], new Array<number>(24).fill(1)), w = fromNumbers("u8", [3, 4, 5], new Array<number>(60).fill(2));
    const y = run([x, w], { w_zero_point: 1, multiplier: [2 ** 30], shift: [0] });
    expect(y.shape).toEqual([2, 3, 3, 5]);
    // Each element: 4 * 1 * (2 - 1) = 4, times 1/2 -> 2.
    expect(new Set(y.data as Int8Array)).toEqual(new Set([2]));
  });

  it("names what is wrong with its operands", () => {
    const rq = { multiplier: [2 ** 30], shift: [0] };
    const i16 = fromNumbers("i16", [2, 3], [1, 2, 3, 4, 5, 6]), u8w = fromNumbers("u8", [3, 2], [1, 2, 3, 4, 5, 6]);
    expect(() => run([i16, u8w], { ...rq, w_zero_point: 3 })).toThrow(/int16 x \(the 16x8 mode\) takes symmetric int8 w/);
    expect(() => run([fromNumbers("i8", [2, 3], [1, 2, 3, 4, 5, 6]), u8w], { ...rq, w_zero_point: 300 })).toThrow(/w_zero_point 300 is outside the range of u8/);
    expect(() => run([fromNumbers("i8", [2, 4], new Array<number>(8).fill(0)), u8w], rq)).toThrow(/inner dims differ: x has 4, w has 3/);
    expect(() => run([fromNumbers("i8", [3], [1, 2, 3]), fromNumbers("i8", [2, 3, 2], new Array<number>(12).fill(0))], { ...rq, w_zero_point: 1 })).toThrow(/x must be \[\.\.\., M, K\]/);
    expect(() => run([fromNumbers("i8", [2, 1, 3], new Array<number>(6).fill(0)), fromNumbers("i8", [3, 3, 2], new Array<number>(18).fill(0))], { ...rq, w_zero_point: 1 })).toThrow(/do not broadcast/);
  });
});

// ---- C ----------------------------------------------------------------------------------------

const next = randomSource(4242);
const ri = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
const list = (v: readonly number[]) => `[${v.join(", ")}]`;
const mults = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 ** 30 : ri(2 ** 30, 2 ** 31 - 1)));

// The wrap-around case: 40000 products of 255 x 255 (2.6e9) wrap the int32 accumulator.
const WRAP_K = 40000;

function graphText(): { text: string; outputs: string[] } {
  const body: string[] = [];
  const consts = [
    `  %wc = const u8[12,6] ${list(Array.from({ length: 72 }, () => ri(0, 255)))}`,
    `  %bp = const i32[7] ${list(Array.from({ length: 7 }, (_, i) => (i === 0 ? 2 ** 31 - 1 : i === 1 ? -(2 ** 31) : ri(-5000, 5000))))}`,
  ];
  for (const r of ROUNDINGS) {
    const s = roundingSuffix(r);
    const one = (shift: number) => `multiplier=[${mults(1)[0]}], shift=[${shift}], rounding="${r}"`;
    body.push(
      // Q.K^T: [2, 3, T, 8] x [2, 3, 8, T] (N symbolic).
      `  %qk_${s} = QMatMul(%q, %kt) {x_zero_point=-3, w_zero_point=5, ${one(-8)}, y_zero_point=-10}`,
      // scores.V: uint8 [2, 3, T, T] x [2, 3, T, 8] (K symbolic), int16 output.
      `  %sv_${s} = QMatMul(%p, %v) {x_zero_point=128, w_zero_point=-7, ${one(-4)}, y_zero_point=100, out_dtype="i16"}`,
      // Broadcast: [2, 1, T, 8] x [3, 8, 5] -> [2, 3, T, 5], uint8 output.
      `  %bc_${s} = QMatMul(%q1, %wb) {x_zero_point=0, w_zero_point=200, ${one(-9)}, y_zero_point=120, out_dtype="u8"}`,
      // A non-constant w[K, N] with a bias at the INT32 edges and per-column (split) requantization.
      `  %pc_${s} = QMatMul(%a, %wa, %bp) {x_zero_point=7, w_zero_point=-1, multiplier=${list(mults(7))}, shift=${list([-6, -12, -7, -8, -6, -9, -7])}, rounding="${r}", y_zero_point=2}`,
      // A constant uint8 w (packed per-column parameters).
      `  %cu_${s} = QMatMul(%a, %wc) {x_zero_point=-2, w_zero_point=131, multiplier=${list(mults(6))}, shift=${list([-8, -7, -8, -9, -8, -7])}, rounding="${r}", y_zero_point=-5}`,
      // Small centred values and m = 2^30, shift -1: exact ties.
      `  %tie_${s} = QMatMul(%a, %wa) {x_zero_point=0, w_zero_point=1, multiplier=[${2 ** 30}], shift=[-1], rounding="${r}", qmin=-100, qmax=100}`,
      // The accumulator wraps (x and w at 255, zero points 0).
      `  %wrap_${s} = QMatMul(%wx, %ww) {x_zero_point=0, w_zero_point=0, multiplier=[${2 ** 30}], shift=[-20], rounding="${r}", out_dtype="i16"}`,
    );
  }
  const outputs = body.map((l) => /%(\w+) =/.exec(l)![1]!);
  const inputs = `%q: i8[2,3,T,8], %kt: i8[2,3,8,T], %p: u8[2,3,T,T], %v: i8[2,3,T,8], %q1: i8[2,1,T,8], %wb: u8[3,8,5], %a: i8[1,T,12], %wa: i8[12,7], %wx: u8[2,${WRAP_K}], %ww: u8[${WRAP_K},3]`;
  return { text: `graph @g(${inputs}) -> (${outputs.map((o) => "%" + o).join(", ")}) {\n${consts.join("\n")}\n${body.join("\n")}\n}`, outputs };
}

function inputs(T: number, seed: number, small: boolean): Record<string, Tensor> {
  const r = randomSource(seed);
  const v = (dt: "i8" | "u8", shape: number[]) => fromNumbers(dt, shape, Array.from({ length: prod(shape) }, () => {
    if (small) return Math.floor(r() * 5) - 2 + (dt === "u8" ? 128 : 0);
    const u = r();
    const lo = dt === "u8" ? 0 : -128;
    return u < 0.1 ? (u < 0.05 ? lo : lo + 255) : lo + Math.floor(r() * 256);
  }));
  // Row 0 of wx and column 0 of ww at 255: that product's sum is 40000 x 65025 > 2^31.
  const wx = Array.from({ length: 2 * WRAP_K }, (_, i) => (i < WRAP_K ? 255 : Math.floor(r() * 256)));
  const ww = Array.from({ length: WRAP_K * 3 }, (_, i) => (i % 3 === 0 ? 255 : Math.floor(r() * 256)));
  return {
    q: v("i8", [2, 3, T, 8]), kt: v("i8", [2, 3, 8, T]), p: v("u8", [2, 3, T, T]), v: v("i8", [2, 3, T, 8]),
    q1: v("i8", [2, 1, T, 8]), wb: v("u8", [3, 8, 5]), a: v("i8", [1, T, 12]), wa: v("i8", [12, 7]),
    wx: fromNumbers("u8", [2, WRAP_K], wx), ww: fromNumbers("u8", [WRAP_K, 3], ww),
  };
}

const G = graphText();
const g = parseGraph(G.text);
const SETS = [inputs(9, 1, false), inputs(17, 2, false), inputs(11, 3, true)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("QMatMul of two activations in C is bit-exact with the interpreter", () => {
  it("the cases are not trivial (varied outputs, ties where the roundings disagree, a wrapped accumulator)", () => {
    const y = Array.from(REFS[0]!["qk_gemmlowp"]!.data as Int8Array);
    expect(new Set(y).size).toBeGreaterThan(30);
    expect(new Set(ROUNDINGS.map((r) => Array.from(REFS[2]![`tie_${roundingSuffix(r)}`]!.data as Int8Array).join(","))).size).toBeGreaterThan(1);
    expect(WRAP_K * 255 * 255).toBeGreaterThan(2 ** 31);
    expect((REFS[0]!["wrap_gemmlowp"]!.data as Int16Array)[0], "a sum of positive products reads negative once wrapped").toBeLessThan(0);
  });

  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 20 } }));

  it("has no floating point in the generated code", () => {
    expectNoFloat(g, ["c99", "aarch64", "armv7"], { T: 20 });
  });
});
