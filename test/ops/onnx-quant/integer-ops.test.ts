// ConvInteger, QLinearConv, MatMulInteger and QLinearMatMul against plain oracles written here:
// zero points per tensor / row / column / channel, groups, strides, pads, dilations, auto_pad,
// batched and 1-D matmuls, bias, requantization ties and saturation, symbolic shapes.
import { describe, expect, it } from "vitest";
import { dimToString, parseDim } from "../../../ir/dim.js";
import type { DType } from "../../../ir/dtype.js";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import { inferString, intRng, run, s, t, values } from "./helpers.js";

/** Window parameters of the oracle, for 2-D (1-D cases use H = 1). */
interface Win {
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  /** Begin/end pads per axis; computed from auto_pad when given. */
  pads: [number, number, number, number];
  autoPad?: "SAME_UPPER" | "SAME_LOWER" | "VALID";
}

function resolvePads(inH: number, inW: number, w: Win): { ph: number; pw: number; oh: number; ow: number } {
  const axis = (n: number, k: number, st: number, dl: number, pb: number, pe: number) => {
    const ek = (k - 1) * dl + 1;
    if (w.autoPad === "VALID") return { p: 0, o: Math.floor((n - ek) / st) + 1 };
    if (w.autoPad) {
      const o = Math.ceil(n / st);
      const total = Math.max(0, (o - 1) * st + ek - n);
      return { p: w.autoPad === "SAME_UPPER" ? Math.floor(total / 2) : Math.ceil(total / 2), o };
    }
    return { p: pb, o: Math.floor((n + pb + pe - ek) / st) + 1 };
  };
  const h = axis(inH, w.kh, w.sh, w.dh, w.pads[0], w.pads[2]);
  const x = axis(inW, w.kw, w.sw, w.dw, w.pads[1], w.pads[3]);
  return { ph: h.p, pw: x.p, oh: h.o, ow: x.o };
}

/** Oracle: int32 accumulators of a grouped 2-D integer convolution, NCHW. */
function naiveConv(
  x: number[], xs: number[], w: number[], ws: number[], xzp: number, wzp: number[], group: number, win: Win, bias?: number[],
): { acc: number[]; shape: number[] } {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [M, Cg] = ws as [number, number];
  const { ph, pw, oh, ow } = resolvePads(H, W, win);
  const acc: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / (M / group));
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          let sum = bias ? bias[m]! : 0;
          for (let c = 0; c < Cg; c++) {
            for (let a = 0; a < win.kh; a++) {
              for (let b = 0; b < win.kw; b++) {
                const y = i * win.sh - ph + a * win.dh;
                const z = j * win.sw - pw + b * win.dw;
                if (y < 0 || y >= H || z < 0 || z >= W) continue;
                const xv = x[((n * C + g * Cg + c) * H + y) * W + z]! - xzp;
                const wv = w[((m * Cg + c) * win.kh + a) * win.kw + b]! - wzp[wzp.length === 1 ? 0 : m]!;
                sum += xv * wv;
              }
            }
          }
          acc.push(sum);
        }
      }
    }
  }
  return { acc, shape: [N, M, oh, ow] };
}

function rand(dt: DType, n: number, r: (lo: number, hi: number) => number): number[] {
  return Array.from({ length: n }, () => (dt === "u8" ? r(0, 255) : r(-128, 127)));
}

function convAttrs(win: Win, group: number, oneD: boolean): Record<string, AttrValue> {
  const a: Record<string, AttrValue> = {
    group,
    strides: oneD ? [win.sw] : [win.sh, win.sw],
    dilations: oneD ? [win.dw] : [win.dh, win.dw],
  };
  if (win.autoPad) a.auto_pad = win.autoPad;
  else a.pads = oneD ? [win.pads[1], win.pads[3]] : [...win.pads];
  return a;
}

interface ConvCase {
  name: string;
  x: number[]; // N, C, H, W (H = 1 for 1-D)
  m: number;
  group: number;
  win: Win;
  oneD?: boolean;
  perChannel?: boolean;
  xdt: "u8" | "i8";
  wdt: "u8" | "i8";
}

const W0 = { sh: 1, sw: 1, dh: 1, dw: 1, pads: [0, 0, 0, 0] as [number, number, number, number] };
const convCases: ConvCase[] = [
  { name: "2-D 3x3, pads 1, stride 1", x: [1, 2, 5, 5], m: 3, group: 1, win: { ...W0, kh: 3, kw: 3, pads: [1, 1, 1, 1] }, xdt: "u8", wdt: "u8" },
  { name: "2-D grouped, strided, dilated, asymmetric pads, per-channel w zero point", x: [2, 4, 7, 6], m: 4, group: 2, win: { kh: 2, kw: 3, sh: 2, sw: 1, dh: 2, dw: 1, pads: [1, 0, 0, 2] }, perChannel: true, xdt: "i8", wdt: "i8" },
  { name: "2-D depthwise SAME_UPPER stride 2", x: [1, 3, 6, 5], m: 3, group: 3, win: { ...W0, kh: 3, kw: 2, sh: 2, sw: 2, autoPad: "SAME_UPPER" }, xdt: "u8", wdt: "i8" },
  { name: "2-D SAME_LOWER", x: [1, 2, 4, 4], m: 2, group: 1, win: { ...W0, kh: 2, kw: 2, autoPad: "SAME_LOWER" }, perChannel: true, xdt: "u8", wdt: "u8" },
  { name: "2-D VALID", x: [1, 1, 5, 4], m: 2, group: 1, win: { ...W0, kh: 3, kw: 2, sh: 2, autoPad: "VALID" }, xdt: "i8", wdt: "u8" },
  { name: "1-D with pads, stride 3, dilation 2", x: [1, 3, 1, 11], m: 2, group: 1, win: { ...W0, kh: 1, kw: 3, sw: 3, dw: 2, pads: [0, 2, 0, 1] }, oneD: true, perChannel: true, xdt: "u8", wdt: "i8" },
];

function makeConvInputs(c: ConvCase, seed: number) {
  const r = intRng(seed);
  const [N, C, H, W] = c.x as [number, number, number, number];
  const Cg = C / c.group;
  const xs = c.oneD ? [N, C, W] : [N, C, H, W];
  const ws = c.oneD ? [c.m, Cg, c.win.kw] : [c.m, Cg, c.win.kh, c.win.kw];
  const x = rand(c.xdt, N * C * H * W, r);
  const w = rand(c.wdt, c.m * Cg * c.win.kh * c.win.kw, r);
  const xzp = rand(c.xdt, 1, r)[0]!;
  const wzp = rand(c.wdt, c.perChannel ? c.m : 1, r);
  return { x, w, xzp, wzp, xs, ws, Cg };
}

describe("ConvInteger", () => {
  for (const [k, c] of convCases.entries()) {
    it(c.name, () => {
      const { x, w, xzp, wzp, xs, ws, Cg } = makeConvInputs(c, 100 + k);
      const want = naiveConv(x, c.x, w, [c.m, Cg], xzp, wzp, c.group, c.win);
      const y = run("ConvInteger", [
        t(c.xdt, xs, x), t(c.wdt, ws, w), s(c.xdt, xzp), c.perChannel ? t(c.wdt, [c.m], wzp) : s(c.wdt, wzp[0]!),
      ], convAttrs(c.win, c.group, c.oneD ?? false));
      expect(y.dtype).toBe("i32");
      expect(y.shape).toEqual(c.oneD ? [want.shape[0], want.shape[1], want.shape[3]] : want.shape);
      expect(values(y)).toEqual(want.acc);
    });
  }

  it("without zero points", () => {
    const y = run("ConvInteger", [t("u8", [1, 1, 3], [1, 2, 3]), t("u8", [1, 1, 2], [1, 1])]);
    expect(values(y)).toEqual([3, 5]);
  });

  it("infers a symbolic time axis and checks channels", () => {
    const T = parseDim("T");
    const x = { dtype: "u8" as const, shape: [1, 4, T] };
    expect(inferString("ConvInteger", [x, { dtype: "u8", shape: [8, 4, 3] }], { pads: [1, 1] })).toBe("i32[1,8,T]");
    expect(inferString("ConvInteger", [x, { dtype: "u8", shape: [8, 2, 3] }], { strides: [2], group: 2 })).toBe("i32[1,8,floor((T+1)/2)-1]"); // = floor((T-3)/2)+1 in canonical form
    expect(inferString("ConvInteger", [x, { dtype: "u8", shape: [8, 4, 4] }], { strides: [3], auto_pad: "SAME_UPPER" })).toBe("i32[1,8,floor((T+2)/3)]");
    expect(() => inferString("ConvInteger", [x, { dtype: "u8", shape: [8, 3, 3] }])).toThrow(/x has 4 channels, w expects 3 per group x 1 groups/);
    expect(() => inferString("ConvInteger", [x, { dtype: "i8", shape: [8, 4, 3] }, { dtype: "i8", shape: [] }])).toThrow(/x_zero_point has dtype i8, expected u8/);
    expect(() => inferString("ConvInteger", [x, { dtype: "u8", shape: [8, 4, 3] }, undefined, { dtype: "u8", shape: [4] }])).toThrow(/w_zero_point has shape \[4\]/);
  });

  it("counts MACs", () => {
    const def = getOp("ConvInteger");
    const T = parseDim("T");
    const m = def.macs!([{ dtype: "u8", shape: [1, 4, T] }, { dtype: "u8", shape: [8, 4, 3] }], [{ dtype: "i32", shape: [1, 8, T] }], resolveAttrs(def, {}));
    expect(dimToString(m)).toBe("96*T");
  });
});

/** Oracle requantization: round half to even, add the zero point, saturate. */
function requant(acc: number, mult: number, zp: number, dt: "u8" | "i8"): number {
  const v = acc * mult;
  const fl = Math.floor(v);
  const r = v - fl > 0.5 || (v - fl === 0.5 && fl % 2 !== 0) ? fl + 1 : fl;
  const [lo, hi] = dt === "u8" ? [0, 255] : [-128, 127];
  return Math.min(hi, Math.max(lo, r + zp));
}

describe("QLinearConv", () => {
  for (const [k, c] of convCases.entries()) {
    it(`${c.name}, with bias`, () => {
      const { x, w, xzp, wzp, xs, ws, Cg } = makeConvInputs(c, 200 + k);
      const r = intRng(300 + k);
      const bias = Array.from({ length: c.m }, () => r(-5000, 5000));
      const xScale = Math.fround(0.02);
      const wScale = Array.from({ length: c.perChannel ? c.m : 1 }, (_, i) => Math.fround(0.01 * (i + 1)));
      const yScale = Math.fround(0.9);
      const yzp = 3;
      const ydt = c.xdt;
      const want = naiveConv(x, c.x, w, [c.m, Cg], xzp, wzp, c.group, c.win, bias);
      const per = want.acc.length / (want.shape[0]! * c.m);
      const expected = want.acc.map((a, i) => {
        const m = Math.floor(i / per) % c.m;
        const mult = Math.fround(Math.fround(xScale * wScale[wScale.length === 1 ? 0 : m]!) / yScale);
        return requant(a, mult, yzp, ydt);
      });
      const y = run("QLinearConv", [
        t(c.xdt, xs, x), s("f32", xScale), s(c.xdt, xzp),
        t(c.wdt, ws, w), t("f32", [wScale.length], wScale), t(c.wdt, [wzp.length], wzp),
        s("f32", yScale), s(ydt, yzp), t("i32", [c.m], bias),
      ], convAttrs(c.win, c.group, c.oneD ?? false));
      expect(y.dtype).toBe(ydt);
      expect(values(y)).toEqual(expected);
      expect(new Set(values(y)).size).toBeGreaterThan(3); // not all saturated
    });
  }

  it("rounds requantization ties to even before adding the zero point", () => {
    // acc = x (w = 1), multiplier 0.5: 1 -> 0.5 -> 0, 3 -> 1.5 -> 2, 5 -> 2.5 -> 2, then + 10.
    const y = run("QLinearConv", [
      t("u8", [1, 1, 3], [1, 3, 5]), s("f32", 0.5), s("u8", 0), t("u8", [1, 1, 1], [1]), s("f32", 1), s("u8", 0), s("f32", 1), s("u8", 10),
    ]);
    expect(values(y)).toEqual([10, 12, 12]);
  });
});

function naiveMatmul(a: number[], M: number, K: number, b: number[], N: number, azp: number[], bzp: number[]): number[] {
  const out: number[] = [];
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += (a[m * K + k]! - azp[azp.length === 1 ? 0 : m]!) * (b[k * N + n]! - bzp[bzp.length === 1 ? 0 : n]!);
      out.push(sum);
    }
  }
  return out;
}

describe("MatMulInteger", () => {
  it("per-row and per-column zero points", () => {
    const r = intRng(1);
    const [M, K, N] = [3, 5, 4];
    const a = rand("u8", M * K, r), b = rand("i8", K * N, r);
    const azp = rand("u8", M, r), bzp = rand("i8", N, r);
    const y = run("MatMulInteger", [t("u8", [M, K], a), t("i8", [K, N], b), t("u8", [M], azp), t("i8", [N], bzp)]);
    expect(y.shape).toEqual([M, N]);
    expect(values(y)).toEqual(naiveMatmul(a, M, K, b, N, azp, bzp));
    // The broadcastable forms [M,1] and [1,N] mean the same.
    const y2 = run("MatMulInteger", [t("u8", [M, K], a), t("i8", [K, N], b), t("u8", [M, 1], azp), t("i8", [1, N], bzp)]);
    expect(values(y2)).toEqual(values(y));
  });

  it("broadcasts batch dims and handles 1-D operands", () => {
    const r = intRng(2);
    const [M, K, N] = [2, 3, 2];
    const a = rand("i8", 2 * M * K, r), b = rand("i8", K * N, r);
    const y = run("MatMulInteger", [t("i8", [2, M, K], a), t("i8", [K, N], b), s("i8", 1), s("i8", -2)]);
    expect(y.shape).toEqual([2, M, N]);
    expect(values(y)).toEqual([
      ...naiveMatmul(a.slice(0, M * K), M, K, b, N, [1], [-2]),
      ...naiveMatmul(a.slice(M * K), M, K, b, N, [1], [-2]),
    ]);
    const v = run("MatMulInteger", [t("u8", [3], [1, 2, 3]), t("u8", [3, 2], [1, 0, 0, 1, 1, 1])]);
    expect(v.shape).toEqual([2]);
    expect(values(v)).toEqual([4, 5]);
  });

  it("infers shapes and rejects mismatches", () => {
    const T = parseDim("T");
    expect(inferString("MatMulInteger", [{ dtype: "u8", shape: [T, 64] }, { dtype: "i8", shape: [64, 32] }])).toBe("i32[T,32]");
    expect(() => inferString("MatMulInteger", [{ dtype: "u8", shape: [T, 64] }, { dtype: "i8", shape: [63, 32] }])).toThrow(/different inner dims/);
    expect(() => inferString("MatMulInteger", [{ dtype: "u8", shape: [4, 3] }, { dtype: "u8", shape: [3, 2] }, { dtype: "u8", shape: [3] }])).toThrow(/a_zero_point has shape \[3\]/);
  });
});

describe("QLinearMatMul", () => {
  it("per-tensor a and y, per-column b, against the oracle", () => {
    const r = intRng(5);
    const [M, K, N] = [4, 6, 3];
    const a = rand("u8", M * K, r), b = rand("u8", K * N, r);
    const bzp = rand("u8", N, r);
    const aS = Math.fround(0.03), bS = [0.01, 0.02, 0.05].map(Math.fround), yS = Math.fround(0.4);
    const acc = naiveMatmul(a, M, K, b, N, [120], bzp);
    const want = acc.map((v, i) => requant(v, Math.fround(Math.fround(aS * bS[i % N]!) / yS), 128, "u8"));
    const y = run("QLinearMatMul", [
      t("u8", [M, K], a), s("f32", aS), s("u8", 120), t("u8", [K, N], b), t("f32", [N], bS), t("u8", [N], bzp), s("f32", yS), s("u8", 128),
    ]);
    expect(values(y)).toEqual(want);
  });

  it("per-row a scale with int8 output saturating", () => {
    const y = run("QLinearMatMul", [
      t("i8", [2, 1], [100, 100]), t("f32", [2], [1, 0.01]), s("i8", 0), t("i8", [1, 1], [100]), s("f32", 1), s("i8", 0), s("f32", 1), s("i8", 0),
    ]);
    expect(values(y)).toEqual([127, 100]);
  });

  it("infers the output type from y_zero_point", () => {
    expect(inferString("QLinearMatMul", [
      { dtype: "u8", shape: [2, 2, 4] }, { dtype: "f32", shape: [] }, { dtype: "u8", shape: [] },
      { dtype: "u8", shape: [2, 4, 3] }, { dtype: "f32", shape: [] }, { dtype: "u8", shape: [] },
      { dtype: "f32", shape: [] }, { dtype: "i8", shape: [] },
    ])).toBe("i8[2,2,3]");
  });
});

