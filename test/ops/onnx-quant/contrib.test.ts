// onnxruntime's com.microsoft QOperator ops as neonc imports them: each hand-built model (float
// inputs, QuantizeLinear, one com.microsoft op, integer output) is checked against the op's
// formula from ContribOperators.md computed by hand here (double precision, ties to even,
// saturate):
// - the plain import runs the op's reference definition: equal to the formula everywhere;
// - onnxruntime-node runs the same model as a second reference: within 1 LSB (exact share printed).
// The import-qdq lowering of each op to integer ops is specified against that reference by the
// golden fixtures test/passes/import-qdq/golden/contrib-*.ir. Also: DynamicQuantizeLinear
// imports and runs (the ONNX docs' example), com.microsoft QuantizeLinear/DequantizeLinear import as the
// default-domain ops, and QLinearGlobalAveragePool with channels_last is refused.
import { describe, expect, it } from "vitest";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { importQdqBytes } from "../../../src/adapters/onnx/qdq-import.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { Rng, agreement, percent } from "../../../src/testing/index.js";
import { fromNumbers, type Tensor } from "../../../ir/types.js";
import type { ModelSpec } from "../../helpers/onnx-builder.js";
import { runOrt } from "../../helpers/ort.js";
import { bytesOf, f32, q, qModel, quantized, scalar, type Q8 } from "../../helpers/qdq-models.js";

const MS = "com.microsoft";
const fr = Math.fround;

interface Case {
  readonly title: string;
  readonly spec: ModelSpec;
  readonly feeds: Record<string, Tensor>;
  /** The formula's result, by hand. */
  readonly expected: number[];
}

function input(name: string, shape: number[], dtype: Q8, scale: number, zeroPoint: number, seed: number, range = 4) {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = new Rng(seed).uniforms(n, -range, range);
  return { spec: { name, shape, dtype, scale, zeroPoint }, feed: f32(shape, x), q: quantized(x, scale, zeroPoint, dtype) };
}

/** numpy broadcasting index of an output element into an operand of shape s. */
function bindex(i: number, out: number[], s: number[]): number {
  let idx = 0, stride = 1, rest = i;
  const coords = out.map(() => 0);
  for (let k = out.length - 1; k >= 0; k--) {
    coords[k] = rest % out[k]!;
    rest = Math.floor(rest / out[k]!);
  }
  for (let k = s.length - 1; k >= 0; k--) {
    const c = coords[k + out.length - s.length]!;
    idx += (s[k] === 1 ? 0 : c) * stride;
    stride *= s[k]!;
  }
  return idx;
}

function binaryCase(op: "QLinearAdd" | "QLinearMul", dt: Q8, p: { sa: number; za: number; sb: number; zb: number; sc: number; zc: number }, bShape: number[]): Case {
  const shape = [2, 3, 24];
  const a = input("a", shape, dt, p.sa, p.za, 11), b = input("b", bShape, dt, p.sb, p.zb, 12);
  const extra = { c_s: scalar("f32", p.sc), c_z: scalar(dt, p.zc) };
  const spec = qModel([a.spec, b.spec], {
    op, domain: MS, inputs: ["a", "a_s", "a_z", "b", "b_s", "b_z", "c_s", "c_z"], outputs: ["c"], name: "op",
  }, { name: "c", shape, dtype: dt }, extra);
  const [sa, sb, sc] = [fr(p.sa), fr(p.sb), fr(p.sc)];
  const expected = Array.from({ length: 2 * 3 * 24 }, (_, i) => {
    const av = a.q[i]! - p.za, bv = b.q[bindex(i, shape, bShape)]! - p.zb;
    return q((op === "QLinearAdd" ? sa * av + sb * bv : av * bv * (sa * sb)) / sc, p.zc, dt);
  });
  return {
    title: `${op} ${dt} (B ${JSON.stringify(bShape)})`, spec, feeds: { a_f: a.feed, b_f: b.feed }, expected,
  };
}

function unaryCase(op: "QLinearSigmoid" | "QLinearLeakyRelu", dt: Q8, p: { sx: number; zx: number; sy: number; zy: number; alpha?: number }): Case {
  const shape = [3, 50];
  const x = input("x", shape, dt, p.sx, p.zx, 21, 6);
  const extra = { y_s: scalar("f32", p.sy), y_z: scalar(dt, p.zy) };
  const spec = qModel([x.spec], {
    op, domain: MS, inputs: ["x", "x_s", "x_z", "y_s", "y_z"], outputs: ["y"], name: "op",
    ...(p.alpha !== undefined ? { attrs: { alpha: p.alpha }, floatAttrs: ["alpha"] } : {}),
  }, { name: "y", shape, dtype: dt }, extra);
  const alpha = fr(p.alpha ?? 0.01);
  const f = op === "QLinearSigmoid" ? (v: number) => 1 / (1 + Math.exp(-v)) : (v: number) => (v >= 0 ? v : alpha * v);
  const expected = x.q.map((v) => q(f(fr(p.sx) * (v - p.zx)) / fr(p.sy), p.zy, dt));
  return { title: `${op} ${dt}`, spec, feeds: { x_f: x.feed }, expected };
}

function concatCase(dt: Q8): Case {
  const parts = [
    input("x0", [2, 3, 10], dt, 0.02, dt === "u8" ? 130 : 2, 31),
    input("x1", [2, 5, 10], dt, 0.05, dt === "u8" ? 120 : -4, 32),
    input("x2", [2, 2, 10], dt, 0.04, dt === "u8" ? 128 : 0, 33),
  ];
  const [sy, zy] = [0.04, dt === "u8" ? 128 : 0]; // x2 already has Y's parameters: copied
  const spec = qModel(parts.map((p) => p.spec), {
    op: "QLinearConcat", domain: MS, name: "op", attrs: { axis: 1 },
    inputs: ["y_s", "y_z", ...parts.flatMap((p) => [p.spec.name, `${p.spec.name}_s`, `${p.spec.name}_z`])], outputs: ["y"],
  }, { name: "y", shape: [2, 10, 10], dtype: dt }, { y_s: scalar("f32", sy), y_z: scalar(dt, zy) });
  const expected: number[] = [];
  for (let o = 0; o < 2; o++) {
    for (const p of parts) {
      const rows = p.spec.shape[1]! * 10;
      for (let k = 0; k < rows; k++) expected.push(q(((p.q[o * rows + k]! - p.spec.zeroPoint) * fr(p.spec.scale)) / fr(sy), zy, dt));
    }
  }
  return { title: `QLinearConcat ${dt}`, spec, feeds: Object.fromEntries(parts.map((p) => [`${p.spec.name}_f`, p.feed])), expected };
}

function poolCase(dt: Q8): Case {
  const [N, C, L] = [2, 4, 37];
  const x = input("x", [N, C, L], dt, 0.03, dt === "u8" ? 125 : -3, 41);
  const [sy, zy] = [0.011, dt === "u8" ? 128 : 1];
  const spec = qModel([x.spec], {
    op: "QLinearGlobalAveragePool", domain: MS, inputs: ["x", "x_s", "x_z", "y_s", "y_z"], outputs: ["y"], name: "op",
  }, { name: "y", shape: [N, C, 1], dtype: dt }, { y_s: scalar("f32", sy), y_z: scalar(dt, zy) });
  const expected = Array.from({ length: N * C }, (_, nc) => {
    let s = 0;
    for (let i = 0; i < L; i++) s += x.q[nc * L + i]! - x.spec.zeroPoint;
    return q((fr(x.spec.scale) * (s / L)) / fr(sy), zy, dt);
  });
  return { title: `QLinearGlobalAveragePool ${dt}`, spec, feeds: { x_f: x.feed }, expected };
}

function softmaxCase(dt: Q8, sy: number, zy: number): Case {
  const shape = [2, 4, 12];
  const x = input("x", shape, dt, 0.06, dt === "u8" ? 128 : 0, 51);
  const spec = qModel([x.spec], {
    op: "QLinearSoftmax", domain: MS, inputs: ["x", "x_s", "x_z", "y_s", "y_z"], outputs: ["y"], name: "op", attrs: { axis: -1, opset: 13 },
  }, { name: "y", shape, dtype: dt }, { y_s: scalar("f32", sy), y_z: scalar(dt, zy) });
  const expected: number[] = [];
  for (let r = 0; r < 8; r++) {
    const v = x.q.slice(r * 12, r * 12 + 12).map((t) => fr(x.spec.scale) * (t - x.spec.zeroPoint));
    const m = Math.max(...v);
    const e = v.map((t) => Math.exp(t - m));
    const s = e.reduce((a, b) => a + b, 0);
    for (const t of e) expected.push(q(t / s / fr(sy), zy, dt));
  }
  return { title: `QLinearSoftmax ${dt} (y_scale ${sy})`, spec, feeds: { x_f: x.feed }, expected };
}

function qgemmCase(transB: 0 | 1, alpha: number): Case {
  const [M, K, N] = [4, 20, 6];
  const a = input("a", [M, K], "u8", 0.05, 120, 61);
  const bv = new Rng(62).uniforms(K * N, -127, 127).map(Math.round);
  const sb = new Rng(63).uniforms(N, 0.002, 0.01).map(fr);
  const C = new Rng(64).uniforms(N, -3000, 3000).map(Math.round);
  const [sy, zy] = [0.07, 110];
  // Stored B: [K, N], or [N, K] when transB = 1.
  const stored = transB ? Array.from({ length: N * K }, (_, i) => bv[(i % K) * N + Math.floor(i / K)]!) : bv;
  const extra = {
    B: fromNumbers("i8", transB ? [N, K] : [K, N], stored), b_s: fromNumbers("f32", [N], sb), b_z: fromNumbers("i8", [N], new Array(N).fill(0)),
    C: fromNumbers("i32", [N], C), y_s: scalar("f32", sy), y_z: scalar("u8", zy),
  };
  const spec = qModel([a.spec], {
    op: "QGemm", domain: MS, name: "op", inputs: ["a", "a_s", "a_z", "B", "b_s", "b_z", "C", "y_s", "y_z"], outputs: ["y"],
    attrs: { transB, alpha }, floatAttrs: ["alpha"],
  }, { name: "y", shape: [M, N], dtype: "u8" }, extra);
  const expected: number[] = [];
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = C[n]!;
      for (let k = 0; k < K; k++) acc += (a.q[m * K + k]! - 120) * bv[k * N + n]!;
      expected.push(q((fr(alpha) * fr(0.05) * sb[n]! * acc) / fr(sy), zy, "u8"));
    }
  }
  return { title: `QGemm transB=${transB} alpha=${alpha}`, spec, feeds: { a_f: a.feed }, expected };
}

const CASES: Case[] = [
  binaryCase("QLinearAdd", "u8", { sa: 0.031, za: 128, sb: 0.017, zb: 100, sc: 0.045, zc: 120 }, [2, 3, 24]),
  // Equal input scales and an output scale twice as large: exact ties, broken to even.
  binaryCase("QLinearAdd", "i8", { sa: 0.05, za: 3, sb: 0.05, zb: -7, sc: 0.1, zc: 0 }, [3, 1]),
  binaryCase("QLinearMul", "u8", { sa: 0.05, za: 128, sb: 0.04, zb: 120, sc: 0.1, zc: 128 }, [1, 3, 24]),
  binaryCase("QLinearMul", "i8", { sa: 0.03, za: -2, sb: 0.02, zb: 5, sc: 0.05, zc: -1 }, [2, 3, 24]),
  unaryCase("QLinearSigmoid", "u8", { sx: 0.05, zx: 128, sy: 1 / 256, zy: 0 }),
  unaryCase("QLinearSigmoid", "i8", { sx: 0.04, zx: 0, sy: 1 / 256, zy: -128 }),
  unaryCase("QLinearLeakyRelu", "i8", { sx: 0.04, zx: -10, sy: 0.03, zy: -20, alpha: 0.1 }),
  unaryCase("QLinearLeakyRelu", "u8", { sx: 0.05, zx: 128, sy: 0.05, zy: 100 }),
  concatCase("u8"),
  concatCase("i8"),
  poolCase("u8"),
  poolCase("i8"),
  softmaxCase("u8", 1 / 256, 0),
  softmaxCase("i8", 1 / 256, -128),
  softmaxCase("u8", 0.005, 3),
  qgemmCase(0, 1),
  qgemmCase(1, 0.5),
];

describe("com.microsoft QOperator ops", () => {
  for (const c of CASES) {
    it(`${c.title}: the reference and onnxruntime against the formula`, async () => {
      const bytes = bytesOf(c.spec);
      const feeds = c.feeds;
      const ref = importOnnxBytes(bytes, "contrib.onnx");
      expect(Array.from(runGraph(ref, feeds)[c.spec.outputs[0]!.name]!.data as ArrayLike<number>)).toEqual(c.expected);

      const ort = await runOrt(bytes, feeds);
      const o = agreement(ort[c.spec.outputs[0]!.name]!, c.expected);
      console.log(`${c.title}: ${o.n} values; onnxruntime ${percent(o.exact, o.n)} exact (max ${o.max} LSB)`);
      expect(o.max).toBeLessThanOrEqual(1);
    });
  }
});

describe("refusals and aliases", () => {
  it("DynamicQuantizeLinear imports and runs as the ONNX reference computes it", () => {
    const bytes = bytesOf({
      inputs: [{ name: "x", shape: [6] }], outputs: [{ name: "y", shape: [6], dtype: "u8" }, { name: "ys", shape: [], dtype: "f32" }, { name: "yz", shape: [], dtype: "u8" }],
      nodes: [{ op: "DynamicQuantizeLinear", inputs: ["x"], outputs: ["y", "ys", "yz"], name: "dql" }],
    });
    // The example of the ONNX operator docs: range [-3, 2], scale 5/255, zero point 153.
    for (const imp of [importOnnxBytes, importQdqBytes]) {
      const out = runGraph(imp(bytes, "dyn.onnx"), { x: fromNumbers("f32", [6], [0, 2, -3, -2.5, 1.34, 0.5]) });
      expect(Array.from(out.y!.data as Uint8Array)).toEqual([153, 255, 0, 26, 221, 179]);
      expect(out.ys!.data[0]).toBe(Math.fround(5 / 255));
      expect(out.yz!.data[0]).toBe(153);
    }
  });

  it("DynamicQuantizeLinear: onnxruntime agrees on random inputs (y within 1 LSB, the same zero point)", async () => {
    const n = 64;
    const bytes = bytesOf({
      inputs: [{ name: "x", shape: [n] }], outputs: [{ name: "y", shape: [n], dtype: "u8" }, { name: "ys", shape: [], dtype: "f32" }, { name: "yz", shape: [], dtype: "u8" }],
      nodes: [{ op: "DynamicQuantizeLinear", inputs: ["x"], outputs: ["y", "ys", "yz"], name: "dql" }],
    });
    const rng = new Rng(5);
    for (const [lo, hi] of [[-3, 2], [0.5, 7], [-9, -0.25], [-1e-3, 4e-3]] as const) {
      const x = fromNumbers("f32", [n], Array.from({ length: n }, () => lo + (hi - lo) * rng.next()));
      const ours = runGraph(importOnnxBytes(bytes, "dyn.onnx"), { x });
      const o = await runOrt(bytes, { x });
      expect(o.ys![0]).toBe(ours.ys!.data[0]);
      expect(o.yz![0]).toBe(ours.yz!.data[0]);
      const a = agreement(o.y!, ours.y!);
      console.log(`DynamicQuantizeLinear on [${lo}, ${hi}]: onnxruntime ${percent(a.exact, a.n)} exact (max ${a.max} LSB)`);
      expect(a.max).toBeLessThanOrEqual(1);
    }
  });

  it("com.microsoft QuantizeLinear / DequantizeLinear import as the default-domain ops and lower", () => {
    const spec: ModelSpec = {
      inputs: [{ name: "x", shape: [2, 8] }], outputs: [{ name: "y", shape: [2, 8] }],
      initializers: { s: scalar("f32", 0.1), z: scalar("u8", 128), s2: scalar("f32", 0.05), z2: scalar("u8", 100) },
      nodes: [
        { op: "QuantizeLinear", domain: MS, inputs: ["x", "s", "z"], outputs: ["xq"], name: "q" },
        { op: "DequantizeLinear", domain: MS, inputs: ["xq", "s", "z"], outputs: ["xd"], name: "dq" },
        { op: "Relu", inputs: ["xd"], outputs: ["r"], name: "relu" },
        { op: "QuantizeLinear", domain: MS, inputs: ["r", "s2", "z2"], outputs: ["rq"], name: "q2" },
        { op: "DequantizeLinear", domain: MS, inputs: ["rq", "s2", "z2"], outputs: ["y"], name: "dq2" },
      ],
    };
    const bytes = bytesOf(spec);
    expect(importOnnxBytes(bytes, "ms.onnx").nodes.map((n) => n.op)).toEqual(["QuantizeLinear", "DequantizeLinear", "Relu", "QuantizeLinear", "DequantizeLinear"]);
    const low = importQdqBytes(bytes, "ms.onnx");
    expect(low.nodes.map((n) => n.op)).toEqual(["Quantize", "QLookup", "Dequantize"]);
    const x = f32([2, 8], new Rng(71).uniforms(16, -5, 5));
    const want = quantized(Array.from(x.data as Float32Array), 0.1, 128, "u8").map((v) => {
      const r = Math.max(0, fr(0.1) * (v - 128));
      return (q(fr(r / fr(0.05)), 100, "u8") - 100) * fr(0.05);
    });
    expect(Array.from(runGraph(low, { x }).y!.data as Float32Array)).toEqual(want.map(fr));
  });

  it("QLinearGlobalAveragePool with channels_last = 1 is refused naming the attribute", () => {
    const spec = qModel([{ name: "x", shape: [1, 5, 3], dtype: "u8", scale: 0.03, zeroPoint: 125 }], {
      op: "QLinearGlobalAveragePool", domain: MS, inputs: ["x", "x_s", "x_z", "y_s", "y_z"], outputs: ["y"], name: "gap", attrs: { channels_last: 1 },
    }, { name: "y", shape: [1, 1, 3], dtype: "u8" }, { y_s: scalar("f32", 0.011), y_z: scalar("u8", 128) });
    expect(() => importQdqBytes(bytesOf(spec), "nhwc.onnx")).toThrow(/^nhwc\.onnx: node "gap" \(QLinearGlobalAveragePool\): channels_last = 1/);
  });
});
