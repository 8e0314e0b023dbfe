// The ten reductions against a direct per-output-element reference on random shapes and axes,
// plus keepdims, noop_with_empty_axes, integer inputs, import of the axes input and shape folding.
import { describe, expect, it } from "vitest";
import { dimToString, sym } from "../../../ir/dim.js";
import { reduceOps, ReduceMax, ReduceMean, ReduceProd, ReduceSum } from "../../../ir/ops/nn/reduce.js";
import { fromNumbers } from "../../../ir/types.js";
import { expectClose, importCtx, infer, onnxNode, random, run, tt } from "./helpers.js";

const reference: Record<string, (v: number[]) => number> = {
  ReduceSum: (v) => v.reduce((a, b) => a + b, 0),
  ReduceMean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  ReduceMax: (v) => Math.max(...v),
  ReduceMin: (v) => Math.min(...v),
  ReduceProd: (v) => v.reduce((a, b) => a * b, 1),
  ReduceL1: (v) => v.reduce((a, b) => a + Math.abs(b), 0),
  ReduceL2: (v) => Math.sqrt(v.reduce((a, b) => a + b * b, 0)),
  ReduceLogSum: (v) => Math.log(v.reduce((a, b) => a + b, 0)),
  ReduceLogSumExp: (v) => Math.log(v.reduce((a, b) => a + Math.exp(b), 0)),
  ReduceSumSquare: (v) => v.reduce((a, b) => a + b * b, 0),
};

/** Groups the elements of x by their position in the kept axes and folds each group. */
function naiveReduce(x: number[], shape: number[], axes: number[], keepdims: boolean, f: (v: number[]) => number) {
  const r = shape.length;
  const red = new Set(axes.map((a) => (a < 0 ? a + r : a)));
  const outShape = shape.flatMap((d, i) => (red.has(i) ? (keepdims ? [1] : []) : [d]));
  const groups = new Map<number, number[]>();
  const keptDims = shape.filter((_, i) => !red.has(i));
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < x.length; k++) {
    let key = 0;
    let j = 0;
    for (let i = 0; i < r; i++) if (!red.has(i)) key = key * keptDims[j++]! + idx[i]!;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(x[k]!);
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  const n = keptDims.reduce((a, b) => a * b, 1);
  return { shape: outShape, data: Array.from({ length: n }, (_, i) => f(groups.get(i)!)) };
}

describe("reductions", () => {
  const cases: [number[], number[]][] = [
    [[3, 4, 5], [1]], [[3, 4, 5], [0, 2]], [[3, 4, 5], [-1]], [[2, 3, 4, 5], [1, 2]], [[2, 3, 4, 5], [0, 3]],
    [[2, 1, 4, 3], [1, 3]], [[6], [0]], [[2, 3, 4], [0, 1, 2]],
  ];
  for (const def of reduceOps) {
    it(`${def.name} matches the reference on random shapes and axes`, () => {
      let seed = 1;
      for (const [shape, axes] of cases) {
        for (const keepdims of [0, 1]) {
          // Positive inputs for the log reductions and small magnitudes for the product.
          const x = random(shape, seed++);
          const X = [...(x.data as Float32Array)].map((v) => (def.name === "ReduceLogSum" ? Math.abs(v) + 0.1 : v));
          const xt = fromNumbers("f32", shape, X);
          const y = run(def, [xt], { axes, keepdims })[0]!;
          expectClose(y, naiveReduce(X, shape, axes, keepdims === 1, reference[def.name]!), 1e-5, 1e-6);
          expect(infer(def, [tt("f32", shape)], { axes, keepdims })[0]!.shape).toEqual(y.shape);
        }
      }
    });
  }

  it("reduces everything with empty axes, or nothing with noop_with_empty_axes", () => {
    const x = random([2, 3], 1);
    const all = run(ReduceSum, [x], {})[0]!;
    expect(all.shape).toEqual([1, 1]);
    expect(run(ReduceSum, [x], { keepdims: 0 })[0]!.shape).toEqual([]);
    expect(run(ReduceSum, [x], { noop_with_empty_axes: 1 })[0]).toBe(x);
    expect(() => infer(ReduceSum, [tt("f32", [2, 3])], { axes: [1, -1] })).toThrow(/twice/);
    expect(() => infer(ReduceSum, [tt("f32", [2, 3])], { axes: [2] })).toThrow(/out of range/);
  });

  it("keeps symbolic dims that are not reduced", () => {
    const T = sym("T");
    expect(infer(ReduceMean, [tt("f32", [1, 64, T])], { axes: [1], keepdims: 1 })[0]!.shape).toEqual([1, 1, T]);
    expect(infer(ReduceMean, [tt("f32", [1, 64, T])], { axes: [2], keepdims: 0 })[0]!.shape).toEqual([1, 64]);
  });

  it("handles integers, NaN and empty reductions", () => {
    const x = fromNumbers("i64", [2, 2], [5, -3, 7, 2]);
    const y = run(ReduceSum, [x], { axes: [1], keepdims: 0 })[0]!;
    expect(y.dtype).toBe("i64");
    expect([...(y.data as BigInt64Array)]).toEqual([2n, 9n]);
    const m = run(ReduceMax, [fromNumbers("f32", [3], [1, NaN, 2])], { keepdims: 0 })[0]!;
    expect((m.data as Float32Array)[0]).toBeNaN();
    const e = run(ReduceSum, [fromNumbers("f32", [0, 3], [])], { axes: [0], keepdims: 0 })[0]!;
    expect([...(e.data as Float32Array)]).toEqual([0, 0, 0]);
    const mx = run(ReduceMax, [fromNumbers("f32", [0, 2], [])], { axes: [0], keepdims: 0 })[0]!;
    expect([...(mx.data as Float32Array)]).toEqual([-Infinity, -Infinity]);
  });

  it("imports the axes input (ReduceSum from opset 13, the others from 18) as an attribute", () => {
    const axes = fromNumbers("i64", [1], [-1]);
    const sum13 = ReduceSum.fromOnnx!(onnxNode("ReduceSum", ["x", "a"], ["y"], { keepdims: 0 }), importCtx(13, { a: axes }));
    expect(sum13).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { keepdims: 0, axes: [-1] } });
    const mean13 = ReduceMean.fromOnnx!(onnxNode("ReduceMean", ["x"], ["y"], { axes: [1] }), importCtx(13));
    expect(mean13.attrs).toEqual({ axes: [1] });
    const mean18 = ReduceMean.fromOnnx!(onnxNode("ReduceMean", ["x", "a"], ["y"]), importCtx(18, { a: axes }));
    expect(mean18.attrs).toEqual({ axes: [-1] });
    const noAxes = ReduceMean.fromOnnx!(onnxNode("ReduceMean", ["x", ""], ["y"], { noop_with_empty_axes: 1 }), importCtx(18));
    expect(noAxes).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { noop_with_empty_axes: 1 } });
    expect(() => ReduceMean.fromOnnx!(onnxNode("ReduceMean", ["x", "a"], ["y"]), importCtx(18))).toThrow(/must be a constant/);
  });

  it("folds sums and products of shape vectors with symbolic entries", () => {
    const T = sym("T");
    const a = { axes: [], keepdims: 0, noop_with_empty_axes: 0 };
    expect(ReduceProd.foldDims!([[2, T, 3]], a, [tt("i64", [3])])!.map((v) => v!.map(dimToString))).toEqual([["6*T"]]);
    expect(ReduceSum.foldDims!([[2, T, 3]], a, [tt("i64", [3])])!.map((v) => v!.map(dimToString))).toEqual([["T+5"]]);
    expect(ReduceProd.foldDims!([[T, T]], a, [tt("i64", [2])])).toBeUndefined();
  });
});
