// Conv and ConvTranspose: symbolic output shapes, attribute normalisation at import, and the
// kernels (pointwise GEMM, direct depthwise, im2col + GEMM) against a naive N-D reference.
import { describe, expect, it } from "vitest";
import { dimToString, evalDim, parseDim, sym } from "../../../ir/dim.js";
import { Conv } from "../../../ir/ops/nn/conv.js";
import { ConvTranspose } from "../../../ir/ops/nn/conv-transpose.js";
import { resolveAttrs } from "../../../ir/op.js";
import type { Tensor } from "../../../ir/types.js";
import { expectClose, f32, importCtx, infer, onnxNode, random, run, tt } from "./helpers.js";

interface ConvSpec { strides: number[]; pads: number[]; dilations: number[]; group: number }

/** Index of every point of a box, in row-major order. */
function* box(dims: readonly number[]): Generator<number[]> {
  const idx = new Array<number>(dims.length).fill(0);
  if (dims.some((d) => d === 0)) return;
  for (;;) {
    yield idx.slice();
    let d = dims.length - 1;
    for (; d >= 0; d--) {
      if (++idx[d]! < dims[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

const flat = (idx: number[], dims: readonly number[]) => idx.reduce((acc, v, i) => acc * dims[i]! + v, 0);

/** Direct N-D convolution straight from the ONNX definition. */
function naiveConv(x: Tensor, w: Tensor, b: Tensor | undefined, s: ConvSpec): { shape: number[]; data: Float64Array } {
  const [N, C, ...inS] = x.shape as number[];
  const [M, Cg, ...kS] = w.shape as number[];
  const r = inS.length;
  const outS = inS.map((L, i) => Math.floor((L + s.pads[i]! + s.pads[i + r]! - s.dilations[i]! * (kS[i]! - 1) - 1) / s.strides[i]!) + 1);
  const shape = [N!, M!, ...outS];
  const out = new Float64Array(shape.reduce((a, v) => a * v, 1));
  const X = x.data as Float32Array, W = w.data as Float32Array;
  const Mg = M! / s.group;
  for (const oi of box(shape)) {
    const [n, m, ...o] = oi as [number, number, ...number[]];
    const g = Math.floor(m / Mg);
    let acc = b ? (b.data as Float32Array)[m]! : 0;
    for (const ci of box([Cg!, ...kS])) {
      const [c, ...k] = ci as [number, ...number[]];
      const pos = o.map((ov, i) => ov * s.strides[i]! + k[i]! * s.dilations[i]! - s.pads[i]!);
      if (pos.some((p, i) => p < 0 || p >= inS[i]!)) continue;
      acc += X[flat([n, g * Cg! + c, ...pos], x.shape as number[])]! * W[flat([m, c, ...k], w.shape as number[])]!;
    }
    out[flat(oi, shape)] = acc;
  }
  return { shape, data: out };
}

describe("Conv shape inference", () => {
  const T = sym("T");
  const x = tt("f32", [1, 64, T]);
  const outT = (w: number[], attrs: Record<string, number[] | number | string>) =>
    dimToString(infer(Conv, [x, tt("f32", w)], attrs)[0]!.shape[2]!);

  it("gives symbolic lengths for strided, dilated and padded 1-D convs", () => {
    expect(outT([256, 64, 3], { strides: [2], pads: [1, 1] })).toBe(dimToString(parseDim("floor((T-1)/2)+1")));
    expect(outT([256, 64, 33], { strides: [2], pads: [16, 16] })).toBe(dimToString(parseDim("floor((T-1)/2)+1")));
    expect(outT([256, 64, 3], { dilations: [2], pads: [2, 2] })).toBe("T");
    expect(outT([256, 64, 5], {})).toBe("T-4");
    expect(outT([256, 64, 5], { auto_pad: "VALID", strides: [3] })).toBe(dimToString(parseDim("floor((T-5)/3)+1")));
    expect(outT([256, 64, 4], { auto_pad: "SAME_UPPER", strides: [2] })).toBe(dimToString(parseDim("ceil(T/2)")));
    expect(outT([256, 1, 87], { group: 64, dilations: [2], pads: [86, 86] })).toBe("T");
  });

  it("symbolic lengths agree with the concrete kernel for many T", () => {
    const w = random([4, 2, 5], 3);
    const attrs = { strides: [3], pads: [2, 1], dilations: [2] };
    const d = infer(Conv, [tt("f32", [1, 2, T]), tt("f32", [4, 2, 5])], attrs)[0]!.shape[2]!;
    for (let t = 9; t < 20; t++) {
      const y = run(Conv, [random([1, 2, t], t), w], attrs)[0]!;
      expect(y.shape[2]).toBe(evalDim(d, { T: t }));
    }
  });

  it("checks channels, groups, bias and kernel_shape", () => {
    expect(() => infer(Conv, [x, tt("f32", [8, 32, 3])])).toThrow(/channels/);
    expect(() => infer(Conv, [x, tt("f32", [6, 16, 3])], { group: 4 })).toThrow(/divisible/);
    expect(() => infer(Conv, [x, tt("f32", [8, 64, 3]), tt("f32", [7])])).toThrow(/bias/);
    expect(() => infer(Conv, [x, tt("f32", [8, 64, 3])], { kernel_shape: [5] })).toThrow(/kernel_shape/);
    expect(() => infer(Conv, [x, tt("f32", [8, 64, 30])])).not.toThrow(); // symbolic T may be long enough
    expect(() => infer(Conv, [tt("f32", [1, 64, 10]), tt("f32", [8, 64, 30])])).toThrow(/too short/);
  });

  it("counts MACs with a symbolic time axis", () => {
    const w = tt("f32", [256, 64, 33]);
    const y = infer(Conv, [x, w], { strides: [2], pads: [16, 16] })[0]!;
    const macs = Conv.macs!([x, w], [y], resolveAttrs(Conv, {}));
    expect(evalDim(macs, { T: 200 })).toBe(256 * 100 * 64 * 33);
  });
});

describe("Conv import", () => {
  it("turns VALID into zero pads and SAME into explicit pads when lengths are static", () => {
    const types = { x: tt("f32", [1, 1, 5, 5]), w: tt("f32", [1, 1, 3, 3]) };
    const valid = Conv.fromOnnx!(onnxNode("Conv", ["x", "w"], ["y"], { auto_pad: "VALID" }), importCtx(11, {}, types));
    expect(valid.attrs).toEqual({ pads: [0, 0, 0, 0] });
    const lower = Conv.fromOnnx!(onnxNode("Conv", ["x", "w"], ["y"], { auto_pad: "SAME_LOWER", strides: [2, 2] }), importCtx(11, {}, types));
    expect(lower.attrs).toEqual({ strides: [2, 2], pads: [1, 1, 1, 1] });
    const upper = Conv.fromOnnx!(onnxNode("Conv", ["x", "w"], ["y"], { auto_pad: "SAME_UPPER", kernel_shape: [2, 2] }), importCtx(11, {}, types));
    expect(upper.attrs).toEqual({ kernel_shape: [2, 2], pads: [0, 0, 1, 1] });
  });

  it("keeps SAME for a symbolic length, and evaluates it per run", () => {
    const types = { x: tt("f32", [1, 2, sym("T")]), w: tt("f32", [3, 2, 4]) };
    const spec = Conv.fromOnnx!(onnxNode("Conv", ["x", "w"], ["y"], { auto_pad: "SAME_LOWER", strides: [2] }), importCtx(13, {}, types));
    expect(spec.attrs).toEqual({ auto_pad: "SAME_LOWER", strides: [2] });
    const w = random([3, 2, 4], 1);
    for (const t of [7, 8]) {
      const x = random([1, 2, t], t);
      // SAME_LOWER: total pad = (ceil(t/2)-1)*2 + 4 - t, the odd one at the start.
      const total = (Math.ceil(t / 2) - 1) * 2 + 4 - t;
      const pads = [total - Math.floor(total / 2), Math.floor(total / 2)];
      const y = run(Conv, [x, w], spec.attrs as Record<string, string>)[0]!;
      expectClose(y, naiveConv(x, w, undefined, { strides: [2], pads, dilations: [1], group: 1 }));
    }
  });
});

describe("Conv kernels", () => {
  const cases: [string, number[], number[], Partial<ConvSpec>][] = [
    ["pointwise 1-D", [2, 12, 9], [7, 12, 1], {}],
    ["pointwise grouped", [1, 12, 9], [6, 4, 1], { group: 3 }],
    ["1-D strided padded", [1, 5, 23], [6, 5, 4], { strides: [2], pads: [3, 1] }],
    ["1-D dilated", [2, 3, 30], [4, 3, 5], { dilations: [3], pads: [6, 6] }],
    ["depthwise 1-D long kernel", [1, 6, 50], [6, 1, 33], { group: 6, pads: [16, 16] }],
    ["depthwise 1-D stride 2 dilation 2", [2, 4, 41], [4, 1, 7], { group: 4, strides: [2], dilations: [2], pads: [6, 5] }],
    ["depthwise with multiplier", [1, 3, 17], [6, 1, 5], { group: 3, pads: [2, 2] }],
    ["depthwise kernel longer than input", [1, 2, 4], [2, 1, 9], { group: 2, pads: [4, 4] }],
    ["2-D", [1, 3, 9, 8], [5, 3, 3, 2], { strides: [2, 1], pads: [1, 0, 1, 1] }],
    ["2-D grouped dilated", [2, 4, 10, 11], [6, 2, 3, 3], { group: 2, dilations: [2, 1], pads: [2, 1, 2, 1] }],
    ["depthwise 2-D", [1, 3, 8, 9], [3, 1, 3, 3], { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }],
    ["3-D", [1, 2, 5, 6, 4], [3, 2, 2, 3, 2], { strides: [1, 2, 1], pads: [1, 0, 1, 0, 1, 1] }],
    ["depthwise 3-D", [1, 2, 5, 4, 4], [2, 1, 3, 2, 2], { group: 2, pads: [1, 1, 0, 1, 0, 1] }],
  ];
  for (const [name, xs, ws, opts] of cases) {
    it(`${name} matches the naive reference (with and without bias)`, () => {
      const r = xs.length - 2;
      const spec: ConvSpec = {
        strides: opts.strides ?? new Array(r).fill(1),
        pads: opts.pads ?? new Array(2 * r).fill(0),
        dilations: opts.dilations ?? new Array(r).fill(1),
        group: opts.group ?? 1,
      };
      const x = random(xs, 11), w = random(ws, 12), b = random([ws[0]!], 13);
      const attrs = { strides: spec.strides, pads: spec.pads, dilations: spec.dilations, group: spec.group };
      expectClose(run(Conv, [x, w, b], attrs)[0]!, naiveConv(x, w, b, spec));
      expectClose(run(Conv, [x, w], attrs)[0]!, naiveConv(x, w, undefined, spec));
    });
  }

  it("runs f64 through the generic path", () => {
    const x = random([1, 4, 12], 1, "f64"), w = random([4, 2, 3], 2, "f64");
    const y = run(Conv, [x, w], { group: 2, pads: [1, 1] })[0]!;
    expect(y.dtype).toBe("f64");
    const ref = naiveConv(random([1, 4, 12], 1), random([4, 2, 3], 2), undefined, { strides: [1], pads: [1, 1], dilations: [1], group: 2 });
    expectClose(y, ref, 1e-5, 1e-6);
  });

  it("computes a hand-checked example", () => {
    const x = f32([1, 1, 5], [1, 2, 3, 4, 5]);
    const w = f32([1, 1, 3], [1, 0, -1]);
    expect([...(run(Conv, [x, w], { pads: [1, 1] })[0]!.data as Float32Array)]).toEqual([-2, -2, -2, -2, 4]);
  });
});

/** Direct transposed convolution: every input element scatters x * w onto the output. */
function naiveConvTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, s: ConvSpec & { outS: number[] }): { shape: number[]; data: Float64Array } {
  const [N, C, ...inS] = x.shape as number[];
  const [, Mg, ...kS] = w.shape as number[];
  const M = Mg! * s.group, Cg = C! / s.group;
  const shape = [N!, M, ...s.outS];
  const out = new Float64Array(shape.reduce((a, v) => a * v, 1));
  for (const oi of box(shape)) out[flat(oi, shape)] = b ? (b.data as Float32Array)[oi[1]!]! : 0;
  const X = x.data as Float32Array, W = w.data as Float32Array;
  for (const xi of box(x.shape as number[])) {
    const [n, c, ...i] = xi as [number, number, ...number[]];
    const g = Math.floor(c / Cg);
    for (const ki of box([Mg!, ...kS])) {
      const [mg, ...k] = ki as [number, ...number[]];
      const pos = i.map((iv, d) => iv * s.strides[d]! + k[d]! * s.dilations[d]! - s.pads[d]!);
      if (pos.some((p, d) => p < 0 || p >= s.outS[d]!)) continue;
      out[flat([n, g * Mg! + mg, ...pos], shape)] += X[flat(xi, x.shape as number[])]! * W[flat([c, mg, ...k], w.shape as number[])]!;
    }
  }
  void inS;
  return { shape, data: out };
}

describe("ConvTranspose", () => {
  it("matches the naive scatter with strides, pads, dilations, groups and output_padding", () => {
    const x = random([2, 4, 5, 3], 1), w = random([4, 3, 3, 2], 2), b = random([6], 3);
    const attrs = { strides: [2, 3], pads: [1, 0, 0, 1], dilations: [1, 2], group: 2, output_padding: [1, 0] };
    // out = s*(in-1) + op + d*(k-1)+1 - pads
    const outS = [2 * 4 + 1 + 3 - 1, 3 * 2 + 0 + 3 - 1];
    const y = run(ConvTranspose, [x, w, b], attrs)[0]!;
    expectClose(y, naiveConvTranspose(x, w, b, { strides: [2, 3], pads: [1, 0], dilations: [1, 2], group: 2, outS }));
  });

  it("derives pads from output_shape and from SAME", () => {
    const x = random([1, 1, 3], 1), w = random([1, 2, 3], 2);
    // full length 2*(3-1)+3 = 7; output_shape 6 -> total pad 1, at the start (not SAME_UPPER).
    const y = run(ConvTranspose, [x, w], { strides: [2], output_shape: [6] })[0]!;
    expectClose(y, naiveConvTranspose(x, w, undefined, { strides: [2], pads: [1], dilations: [1], group: 1, outS: [6] }));
    const z = run(ConvTranspose, [x, w], { strides: [2], auto_pad: "SAME_UPPER" })[0]!;
    expectClose(z, naiveConvTranspose(x, w, undefined, { strides: [2], pads: [0], dilations: [1], group: 1, outS: [6] }));
  });

  it("infers symbolic output lengths and imports full-rank output_shape", () => {
    const T = sym("T");
    const y = infer(ConvTranspose, [tt("f32", [1, 8, T]), tt("f32", [8, 4, 4])], { strides: [2], pads: [1, 1] })[0]!;
    expect(y.shape.map(dimToString)).toEqual(["1", "4", "2*T"]);
    const spec = ConvTranspose.fromOnnx!(onnxNode("ConvTranspose", ["x", "w"], ["y"], { output_shape: [1, 2, 10, 8], auto_pad: "NOTSET" }),
      importCtx(11, {}, { x: tt("f32", [1, 1, 3, 3]) }));
    expect(spec.attrs).toEqual({ output_shape: [10, 8] });
  });
});
