// Softmax and LogSoftmax: per-axis (opset >= 13) and flattened (opset < 13) semantics, stability
// on large inputs, and the import that maps both opset forms to one IR op.
import { describe, expect, it } from "vitest";
import { LogSoftmax, Softmax } from "../../../ir/ops/nn/softmax.js";
import { expectClose, f32, importCtx, onnxNode, random, run, tt } from "./helpers.js";

/** Softmax over `len` values at stride `inner` for each (outer, inner) position. */
function softmaxRef(x: ArrayLike<number>, outer: number, len: number, inner: number, log: boolean): number[] {
  const out = new Array<number>(outer * len * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const at = (k: number) => o * len * inner + k * inner + j;
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, x[at(k)]!);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x[at(k)]! - m);
      for (let k = 0; k < len; k++) out[at(k)] = log ? x[at(k)]! - m - Math.log(s) : Math.exp(x[at(k)]! - m) / s;
    }
  }
  return out;
}

describe("Softmax / LogSoftmax", () => {
  const x = random([3, 4, 5], 7);
  const X = x.data as Float32Array;
  for (const [def, log] of [[Softmax, false], [LogSoftmax, true]] as const) {
    it(`${def.name} normalizes along any single axis`, () => {
      expectClose(run(def, [x], { axis: 0 })[0]!, { shape: [3, 4, 5], data: softmaxRef(X, 1, 3, 20, log) });
      expectClose(run(def, [x], { axis: 1 })[0]!, { shape: [3, 4, 5], data: softmaxRef(X, 3, 4, 5, log) });
      expectClose(run(def, [x], {})[0]!, { shape: [3, 4, 5], data: softmaxRef(X, 12, 5, 1, log) });
    });

    it(`${def.name} with flatten=1 normalizes over all axes from axis (opset < 13)`, () => {
      expectClose(run(def, [x], { axis: 1, flatten: 1 })[0]!, { shape: [3, 4, 5], data: softmaxRef(X, 3, 20, 1, log) });
      expectClose(run(def, [x], { axis: 0, flatten: 1 })[0]!, { shape: [3, 4, 5], data: softmaxRef(X, 1, 60, 1, log) });
    });
  }

  it("is stable for large inputs", () => {
    const big = f32([1, 3], [1000, 1001, 1002]);
    expectClose(run(Softmax, [big])[0]!, { shape: [1, 3], data: softmaxRef([0, 1, 2], 1, 3, 1, false) });
    expectClose(run(LogSoftmax, [big])[0]!, { shape: [1, 3], data: softmaxRef([0, 1, 2], 1, 3, 1, true) });
  });

  it("imports both opset forms into one IR form", () => {
    const ctx = (opset: number) => importCtx(opset, {}, { x: tt("f32", [3, 4, 5]) });
    const node = (attrs = {}) => onnxNode("Softmax", ["x"], ["y"], attrs);
    expect(Softmax.fromOnnx!(node(), ctx(11)).attrs).toEqual({ axis: 1, flatten: 1 });
    expect(Softmax.fromOnnx!(node({ axis: 2 }), ctx(11)).attrs).toEqual({ axis: 2 });
    expect(Softmax.fromOnnx!(node({ axis: -1 }), ctx(12)).attrs).toEqual({ axis: -1 });
    expect(Softmax.fromOnnx!(node(), ctx(13)).attrs).toEqual({ axis: -1 });
    expect(LogSoftmax.fromOnnx!(node({ axis: 1 }), ctx(13)).attrs).toEqual({ axis: 1 });
  });
});
