// Adding an algorithm to the lower stage from the package's public API is one op, one rule and
// one emitter: here a direct 1-D convolution (every output a dot product of the filter with the
// padded input, no GEMM) chosen for filters too small to fill a GEMM's depth (channels x taps
// per group at most 4), before ConvGemmRows. lower must pick it, say why, and the C built from
// it must match the interpreter running its reference kernel.
import { describe, expect, it } from "vitest";
import {
  defineAlgorithm, defineAlgorithmRule, defineKernel, ensure, getOp, getTarget, makeTensor, parseGraph, registerAlgorithmRule,
  registerKernel, registerOp, runPipeline, type Tensor,
} from "neonc";
import { Rng, seededTensor } from "neonc/testing";
import { checkGraph, constLine, rigOrSkip } from "../../codegen/helpers.js";

type ConvAttrs = { group: number; strides: readonly number[]; dilations: readonly number[]; pads: readonly number[] };

// The op: Conv's attributes and type rule, with this reference kernel.
const ConvDirect1d = defineAlgorithm(getOp("Conv"), {
  name: "ConvDirect1d",
  doc: "1-D Conv as a direct dot product per output (filters too small to fill a GEMM).",
  kernel([x, w, b], attrs) {
    const a = attrs as unknown as ConvAttrs;
    const [N, C, T] = x!.shape as [number, number, number];
    const [M, Cg, K] = w!.shape as [number, number, number];
    const [s, d, pl] = [a.strides[0] ?? 1, a.dilations[0] ?? 1, a.pads[0] ?? 0];
    const To = Math.floor((T + pl + (a.pads[1] ?? 0) - d * (K - 1) - 1) / s) + 1;
    const y = makeTensor("f32", [N, M, To]);
    const [X, W, B, Y] = [x!.data, w!.data, b?.data, y.data] as Float32Array[];
    for (let n = 0; n < N; n++)
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / (M / a.group));
        for (let t = 0; t < To; t++) {
          let acc = B ? B[m]! : 0;
          for (let c = 0; c < Cg; c++)
            for (let k = 0; k < K; k++) {
              const i = t * s + k * d - pl;
              if (i >= 0 && i < T) acc += W![(m * Cg + c) * K + k]! * X![(n * C + g * Cg + c) * T + i]!;
            }
          Y![(n * M + m) * To + t] = acc;
        }
      }
    return [y];
  },
});

// The rule: before ConvGemmRows, for small float 1-D convs without a fused activation.
const rule = defineAlgorithmRule({
  algorithm: "ConvDirect1d",
  choose(node, g, target) {
    const x = g.type(node.inputs[0]!), w = g.type(node.inputs[1]!);
    ensure(x.dtype === "f32" && x.shape.length === 3, "not a float 1-D conv");
    ensure(!node.attrs.activation && !node.attrs.auto_pad, "it has a fused activation or auto_pad");
    const depth = (w.shape[1] as number) * (w.shape[2] as number);
    ensure(depth <= 4, `its GEMM depth ${depth} is above 4`);
    return `GEMM depth ${depth} on ${target.name}: a direct dot product per output`;
  },
});

// The emitter: scalar C reading the node's geometry.
const kernel = defineKernel({
  op: "ConvDirect1d",
  emit(node, attrs, ctx) {
    const a = attrs as unknown as ConvAttrs;
    const [xN, wN, bN] = node.inputs as [string, string, string | undefined];
    const w = ctx.constant(wN)!;
    const [M, Cg, K] = w.shape as [number, number, number];
    const [N, C, T] = ctx.shape(xN), To = ctx.shape(node.outputs[0]!)[2]!;
    const wp = ctx.addWeights(wN, w.data as Float32Array);
    const bias = bN ? `${ctx.addWeights(bN, ctx.constant(bN)!.data as Float32Array)}[m]` : "0.0f";
    const [s, d, pl] = [a.strides[0] ?? 1, a.dilations[0] ?? 1, a.pads[0] ?? 0];
    return [
      `const float *x = ${ctx.ptr(xN)}; float *y = ${ctx.ptr(node.outputs[0]!)};`,
      `int n, m, t, c, k;`,
      `for (n = 0; n < ${N}; n++) for (m = 0; m < ${M}; m++) for (t = 0; t < ${To}; t++) {`,
      `  const int g = m / ${M / a.group};`,
      `  float acc = ${bias};`,
      `  for (c = 0; c < ${Cg}; c++) for (k = 0; k < ${K}; k++) {`,
      `    const int i = t * ${s} + k * ${d} - ${pl};`,
      `    if (i >= 0 && i < ${T}) acc += ${wp}[(m * ${Cg} + c) * ${K} + k] * x[((size_t)n * ${C} + g * ${Cg} + c) * ${T} + i];`,
      `  }`,
      `  y[((size_t)n * ${M} + m) * ${To} + t] = acc;`,
      `}`,
    ].join("\n");
  },
});

registerOp(ConvDirect1d);
registerAlgorithmRule(rule, { before: "ConvGemmRows" });
registerKernel(kernel);

const rng = new Rng(12);
const rand = (shape: number[]): Tensor => seededTensor(rng, "f32", shape, { values: { min: -1, max: 1 } });
const g = parseGraph(`graph @g(%x: f32[1,4,T]) -> (%small, %big) {
${constLine("ws", rand([4, 2, 2]))}
${constLine("bs", rand([4]))}
${constLine("wb", rand([3, 4, 3]))}
  %small = Conv(%x, %ws, %bs) {group=2, strides=[2], dilations=[2], pads=[1, 2]}
  %big = Conv(%x, %wb) {pads=[1, 1]}
}`);

describe("a new algorithm: one op, one rule, one emitter", () => {
  it("lower picks it where its rule applies and says why; the others keep theirs", () => {
    let log = "";
    const out = runPipeline(g, "lower", { target: getTarget("aarch64"), explain: ["lower"], log: (t) => (log += t) });
    expect(out.nodes.map((n) => n.op)).toEqual(["ConvDirect1d", "ConvGemmRows"]);
    expect(log).toContain("Conv small: fired ConvDirect1d: GEMM depth 4 on aarch64: a direct dot product per output");
  });

  for (const [target, mode] of [["c99", "native"], ["aarch64", "simde"]] as const) {
    it(`its C matches its reference kernel on ${target} (${mode})`, (ctx) => {
      const rig = rigOrSkip(ctx, target, mode);
      checkGraph(g, target, rig, [{ x: rand([1, 4, 9]) }, { x: rand([1, 4, 5]) }], { maxDims: { T: 12 }, tol: 1e-6 });
    });
  }
});
