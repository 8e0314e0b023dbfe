// Every gradient rule against finite differences, on random small shapes and attributes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../../../src/testing/rng.js";
import { VJP_RULES, vjpRule } from "../../../../src/analyses/autodiff/index.js";
import { activationOfNode, fusedKinds } from "../../../../ir/activation.js";
import { resolveAttrs } from "../../../../ir/op.js";
import { opsWith } from "../../../../ir/traits.js";
import { fromNumbers } from "../../../../ir/types.js";
import { domainOf } from "../../../../ir/unary.js";
import "../../../../ir/ops/index.js";
import { checkGradient, randomF64 } from "./gradcheck.js";

const RUNS = { numRuns: 15, seed: 20240605 };

/** Runs a property whose body draws tensors from an Rng seeded by fast-check. */
function prop<T>(arb: fc.Arbitrary<T>, body: (v: T, rng: Rng) => void): void {
  fc.assert(fc.property(arb, fc.integer({ min: 1, max: 1 << 30 }), (v, seed) => body(v, new Rng(seed))), RUNS);
}

describe("gradient rules match finite differences", () => {
  it("Conv 1-D: groups, depthwise, stride, dilation, pads, bias, fused activation", () => {
    const arb = fc.record({
      N: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 2 }),
      mg: fc.integer({ min: 1, max: 2 }), k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }),
      d: fc.integer({ min: 1, max: 2 }), p0: fc.integer({ min: 0, max: 2 }), p1: fc.integer({ min: 0, max: 2 }),
      T: fc.integer({ min: 6, max: 12 }), bias: fc.boolean(), act: fc.constantFrom(undefined, "Relu", "LeakyRelu", "Sigmoid", "Mish"),
    });
    prop(arb, (a, rng) => {
      const C = a.groups * a.cg, M = a.groups * a.mg;
      const x = randomF64(rng, [a.N, C, a.T]), w = randomF64(rng, [M, a.cg, a.k]);
      const attrs = { strides: [a.s], dilations: [a.d], pads: [a.p0, a.p1], group: a.groups, ...(a.act ? { activation: a.act } : {}) };
      checkGradient("Conv", [x, w, a.bias ? randomF64(rng, [M]) : undefined], attrs, { seed: rng.int(0, 1e6) });
    });
  });

  it("Conv 1-D depthwise with a channel multiplier and pointwise 1x1", () => {
    const rng = new Rng(3);
    checkGradient("Conv", [randomF64(rng, [1, 3, 9]), randomF64(rng, [6, 1, 5])], { group: 3, pads: [2, 2] });
    checkGradient("Conv", [randomF64(rng, [2, 4, 7]), randomF64(rng, [5, 4, 1]), randomF64(rng, [5])], {});
  });

  it("Conv 2-D", () => {
    const arb = fc.record({
      groups: fc.integer({ min: 1, max: 2 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
      s: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }), d: fc.integer({ min: 1, max: 2 }),
    });
    prop(arb, (a, rng) => {
      const x = randomF64(rng, [1, 2 * a.groups, 6, 7]), w = randomF64(rng, [2 * a.groups, 2, a.kh, a.kw]);
      checkGradient("Conv", [x, w], { strides: [a.s, a.s], pads: [a.pad, a.pad, a.pad, a.pad], dilations: [a.d, 1], group: a.groups }, { seed: rng.int(0, 1e6) });
    });
  });

  it("BatchNormalization (inference): input and every parameter", () => {
    prop(fc.record({ N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 4 }), T: fc.integer({ min: 1, max: 5 }) }), (a, rng) => {
      const p = () => randomF64(rng, [a.C]);
      checkGradient("BatchNormalization", [randomF64(rng, [a.N, a.C, a.T]), p(), p(), p(), randomF64(rng, [a.C], 0.5, 2)], { epsilon: 1e-3 }, { seed: rng.int(0, 1e6) });
    });
  });

  it("LayerNormalization: input, scale and bias (broadcast shapes), over one or more trailing axes, with the Mean and InvStdDev outputs", () => {
    prop(fc.record({
      lead: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }),
      norm: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }),
      scaleBroadcast: fc.boolean(), bias: fc.boolean(), stats: fc.boolean(),
    }), (a, rng) => {
      const shape = [...a.lead, ...a.norm];
      // A broadcast scale/bias has ones where the normalized shape does not.
      const pshape = a.scaleBroadcast ? a.norm.map((d, i) => (i === 0 ? 1 : d)) : a.norm;
      const inputs = [randomF64(rng, shape, -2, 2), randomF64(rng, pshape, 0.5, 2), ...(a.bias ? [randomF64(rng, pshape)] : [])];
      checkGradient("LayerNormalization", inputs, { axis: -a.norm.length, epsilon: 1e-3, stash_type: 11 }, { seed: rng.int(0, 1e6), numOutputs: a.stats ? 3 : 1 });
    });
  });

  it("every unary element-wise op, with each attribute sample, inside its domain", () => {
    const rng = new Rng(11);
    for (const def of opsWith("unary")) {
      const fn = def.traits!.unary!;
      const [lo, hi] = domainOf(fn);
      for (const attrs of fn.samples ?? [{}]) {
        checkGradient(def.name, [randomF64(rng, [2, 3, 5], lo, hi)], attrs, { seed: rng.int(0, 1e6) });
      }
    }
    // Clip with a bound given as a constant input.
    checkGradient("Clip", [randomF64(rng, [4, 3], -2, 2), fromNumbers("f64", [], [-0.5])], {}, { constant: [1] });
  });

  it("every fused activation through Conv, Gemm, MatMul and Add (from the output where it tells, else by running the op again)", () => {
    const rng = new Rng(23);
    for (const row of fusedKinds()) {
      for (const sample of row.fn.samples ?? [{}]) {
        const act = activationOfNode(row.kind, resolveAttrs(row.def, sample));
        if (typeof act === "string") continue; // an attribute the fused form cannot carry (Gelu's tanh form)
        const fused = { activation: act.kind, ...(act.params.length ? { activation_params: [...act.params] } : {}) };
        const seed = rng.int(0, 1e6);
        checkGradient("Conv", [randomF64(rng, [1, 3, 7]), randomF64(rng, [4, 3, 3]), randomF64(rng, [4])], { pads: [1, 1], ...fused }, { seed });
        checkGradient("Gemm", [randomF64(rng, [3, 4]), randomF64(rng, [4, 2])], fused, { seed });
        checkGradient("MatMul", [randomF64(rng, [2, 3, 4]), randomF64(rng, [4, 2])], fused, { seed });
        checkGradient("Add", [randomF64(rng, [2, 3]), randomF64(rng, [3])], fused, { seed });
      }
    }
  });

  it("broadcasting Add, Sub, Mul, Div", () => {
    const shapes = fc.constantFrom<[number[], number[]]>([[2, 3, 4], [3, 1]], [[4], [2, 3, 4]], [[2, 1, 4], [1, 3, 1]], [[3, 5], [3, 5]], [[2, 3], []]);
    prop(fc.tuple(shapes, fc.constantFrom("Add", "Sub", "Mul", "Div")), ([[sa, sb], op], rng) => {
      const b = op === "Div" ? randomF64(rng, sb, 0.5, 2) : randomF64(rng, sb);
      checkGradient(op, [randomF64(rng, sa), b], {}, { seed: rng.int(0, 1e6) });
    });
    checkGradient("Add", [randomF64(new Rng(1), [2, 3]), randomF64(new Rng(2), [3])], { activation: "Relu" });
  });

  it("MatMul with batch broadcasting and 1-D operands", () => {
    const rng = new Rng(5);
    for (const [sa, sb] of [[[3, 4], [4, 5]], [[2, 3, 4], [4, 5]], [[3], [3, 4]], [[2, 3], [3]], [[2, 1, 3, 4], [3, 4, 2]]]) {
      checkGradient("MatMul", [randomF64(rng, sa!), randomF64(rng, sb!)], {});
    }
  });

  it("Gemm with transposes, alpha, beta and broadcast C", () => {
    prop(fc.record({ tA: fc.integer({ min: 0, max: 1 }), tB: fc.integer({ min: 0, max: 1 }), c: fc.constantFrom("none", "row", "col", "full") }), (a, rng) => {
      const M = 3, K = 4, N = 2;
      const A = randomF64(rng, a.tA ? [K, M] : [M, K]), B = randomF64(rng, a.tB ? [N, K] : [K, N]);
      const C = a.c === "none" ? undefined : randomF64(rng, a.c === "row" ? [N] : a.c === "col" ? [M, 1] : [M, N]);
      checkGradient("Gemm", [A, B, C], { transA: a.tA, transB: a.tB, alpha: 0.7, beta: 1.3 }, { seed: rng.int(0, 1e6) });
    });
  });

  it("shape ops: Transpose, Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout (inference), Expand", () => {
    const rng = new Rng(9);
    checkGradient("Transpose", [randomF64(rng, [2, 3, 4])], { perm: [2, 0, 1] });
    checkGradient("Transpose", [randomF64(rng, [2, 3])], {});
    checkGradient("Reshape", [randomF64(rng, [2, 3, 4])], { shape: [4, 6] });
    checkGradient("Flatten", [randomF64(rng, [2, 3, 4])], { axis: 2 });
    checkGradient("Squeeze", [randomF64(rng, [2, 1, 4])], { axes: [1] });
    checkGradient("Unsqueeze", [randomF64(rng, [2, 4])], { axes: [0, 2] });
    checkGradient("Identity", [randomF64(rng, [3])], {});
    checkGradient("Dropout", [randomF64(rng, [2, 3])], { ratio: 0.3 });
    checkGradient("Expand", [randomF64(rng, [3, 1])], { shape: [2, 3, 4] });
  });

  it("Pad in every mode, with crops", () => {
    const modes = fc.constantFrom("constant", "reflect", "edge", "wrap");
    const pads = fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 4, maxLength: 4 });
    prop(fc.tuple(modes, pads), ([mode, p], rng) => {
      checkGradient("Pad", [randomF64(rng, [3, 5])], { pads: p, mode, value: 0.5 }, { seed: rng.int(0, 1e6) });
    });
  });

  it("Slice (steps, negative steps), Concat, Split", () => {
    const rng = new Rng(13);
    checkGradient("Slice", [randomF64(rng, [4, 7])], { starts: [1, 6], ends: [3, 0], axes: [0, 1], steps: [1, -2] });
    checkGradient("Slice", [randomF64(rng, [2, 9])], { starts: [1], ends: [8], axes: [-1], steps: [3] });
    checkGradient("Concat", [randomF64(rng, [2, 3]), randomF64(rng, [2, 1]), randomF64(rng, [2, 2])], { axis: 1 });
    checkGradient("Split", [randomF64(rng, [5, 2])], { axis: 0, split: [2, 3] }, { numOutputs: 2 });
  });

  it("pooling: MaxPool, AveragePool (with and without pads counted), global pools", () => {
    const arb = fc.record({
      k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }), p: fc.integer({ min: 0, max: 1 }),
      include: fc.integer({ min: 0, max: 1 }), ceil: fc.integer({ min: 0, max: 1 }), twoD: fc.boolean(),
    });
    prop(arb, (a, rng) => {
      const pads = a.p < a.k ? a.p : 0;
      const shape = a.twoD ? [1, 2, 5, 6] : [2, 2, 7];
      const r = shape.length - 2;
      const win = { kernel_shape: new Array(r).fill(a.k), strides: new Array(r).fill(a.s), pads: new Array(2 * r).fill(pads), ceil_mode: a.ceil };
      checkGradient("MaxPool", [randomF64(rng, shape)], win, { seed: rng.int(0, 1e6) });
      checkGradient("AveragePool", [randomF64(rng, shape)], { ...win, count_include_pad: a.include }, { seed: rng.int(0, 1e6) });
    });
    const rng = new Rng(17);
    checkGradient("GlobalAveragePool", [randomF64(rng, [2, 3, 4])], {});
    checkGradient("GlobalMaxPool", [randomF64(rng, [2, 3, 2, 3])], {});
  });

  it("Softmax and LogSoftmax on any axis, and the flattened form", () => {
    const rng = new Rng(19);
    for (const op of ["Softmax", "LogSoftmax"]) {
      checkGradient(op, [randomF64(rng, [2, 4, 3], -3, 3)], { axis: 1 });
      checkGradient(op, [randomF64(rng, [2, 5], -3, 3)], { axis: -1 });
      checkGradient(op, [randomF64(rng, [2, 3, 2], -3, 3)], { axis: 1, flatten: 1 });
    }
  });

  it("every op in the rule table is exercised above, and every unary op has a rule", () => {
    expect(Object.keys(VJP_RULES).sort()).toEqual([
      "Add", "AveragePool", "BatchNormalization", "Concat", "Conv", "Div", "Dropout", "Expand", "Flatten", "Gemm",
      "GlobalAveragePool", "GlobalMaxPool", "Identity", "LayerNormalization", "LogSoftmax", "MatMul", "MaxPool", "Mul", "Pad",
      "Reshape", "Slice", "Softmax", "Split", "Squeeze", "Sub", "Transpose", "Unsqueeze",
    ]);
    for (const def of opsWith("unary")) expect(vjpRule(def.name), def.name).toBeDefined();
  });
});
