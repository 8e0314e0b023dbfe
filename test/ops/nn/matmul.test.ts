// MatMul (numpy broadcasting, 1-D operands, integer types) and Gemm (transposes, alpha/beta, C
// broadcast) against direct loops, with their shape rules and MAC counts.
import { describe, expect, it } from "vitest";
import { dimToString, evalDim, sym } from "../../../ir/dim.js";
import { Gemm } from "../../../ir/ops/nn/gemm.js";
import { MatMul } from "../../../ir/ops/nn/matmul.js";
import { resolveAttrs } from "../../../ir/op.js";
import { fromNumbers, type Tensor } from "../../../ir/types.js";
import { expectClose, f32, infer, random, run, tt } from "./helpers.js";

/** Product of two stacks of matrices given as functions of (batch, row, col). */
function matmulRef(batch: number[], M: number, N: number, K: number, a: (b: number[], i: number, k: number) => number, b: (b: number[], k: number, j: number) => number): number[] {
  const out: number[] = [];
  const total = batch.reduce((p, d) => p * d, 1);
  for (let t = 0; t < total; t++) {
    const idx: number[] = [];
    let r = t;
    for (let d = batch.length - 1; d >= 0; d--) {
      idx.unshift(r % batch[d]!);
      r = Math.floor(r / batch[d]!);
    }
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a(idx, i, k) * b(idx, k, j);
      out.push(s);
    }
  }
  return out;
}

const at = (t: Tensor, idx: number[]) => {
  let o = 0;
  idx.forEach((v, i) => (o = o * t.shape[i]! + (t.shape[i] === 1 ? 0 : v)));
  return (t.data as Float32Array)[o]!;
};

describe("MatMul", () => {
  it("broadcasts batch dims", () => {
    const a = random([2, 1, 5, 6], 1), b = random([3, 6, 7], 2);
    const y = run(MatMul, [a, b])[0]!;
    const ref = matmulRef([2, 3], 5, 7, 6, (bi, i, k) => at(a, [bi[0]!, bi[1]!, i, k]), (bi, k, j) => at(b, [bi[1]!, k, j]));
    expectClose(y, { shape: [2, 3, 5, 7], data: ref });
  });

  it("folds A's batch into one GEMM when B is a plain matrix", () => {
    const a = random([2, 9, 6], 3), b = random([6, 5], 4);
    const ref = matmulRef([2], 9, 5, 6, (bi, i, k) => at(a, [bi[0]!, i, k]), (_, k, j) => at(b, [k, j]));
    expectClose(run(MatMul, [a, b])[0]!, { shape: [2, 9, 5], data: ref });
  });

  it("promotes and squeezes 1-D operands", () => {
    const v = f32([3], [1, 2, 3]), m = f32([3, 2], [1, 0, 0, 1, 1, 1]);
    expectClose(run(MatMul, [v, m])[0]!, { shape: [2], data: [4, 5] });
    expectClose(run(MatMul, [f32([2, 3], [1, 0, 0, 1, 1, 1]), v])[0]!, { shape: [2], data: [1, 6] });
    expectClose(run(MatMul, [v, v])[0]!, { shape: [], data: [14] });
  });

  it("multiplies integers exactly", () => {
    const a = fromNumbers("i32", [2, 2], [1, 2, 3, 4]), b = fromNumbers("i32", [2, 1], [5, 6]);
    const y = run(MatMul, [a, b])[0]!;
    expect(y.dtype).toBe("i32");
    expect([...(y.data as Int32Array)]).toEqual([17, 39]);
  });

  it("infers symbolic shapes and MACs, and rejects mismatched inner dims", () => {
    const T = sym("T");
    const a = tt("f32", [T, 1, 256]), b = tt("f32", [256, 29]);
    const y = infer(MatMul, [a, b])[0]!;
    expect(y.shape.map(dimToString)).toEqual(["T", "1", "29"]);
    expect(evalDim(MatMul.macs!([a, b], [y], resolveAttrs(MatMul, {})), { T: 10 })).toBe(10 * 29 * 256);
    expect(() => infer(MatMul, [tt("f32", [2, 3]), tt("f32", [4, 5])])).toThrow(/inner dims/);
    expect(() => infer(MatMul, [tt("f32", [2, 2, 3]), tt("f32", [3, 3, 5])])).toThrow(/broadcast/);
  });
});

describe("Gemm", () => {
  it("applies transposes, alpha, beta and a broadcast C", () => {
    const a = random([4, 3], 1), b = random([5, 4], 2), c = random([1, 5], 3);
    const y = run(Gemm, [a, b, c], { transA: 1, transB: 1, alpha: 0.25, beta: 0.35 })[0]!;
    const ref = matmulRef([], 3, 5, 4, (_, i, k) => at(a, [k, i]), (_, k, j) => at(b, [j, k]))
      .map((v, i) => 0.25 * v + 0.35 * at(c, [0, i % 5]));
    expectClose(y, { shape: [3, 5], data: ref });
  });

  it("works without C, with a scalar or column C", () => {
    const a = random([3, 2], 4), b = random([2, 3], 5);
    const ab = matmulRef([], 3, 3, 2, (_, i, k) => at(a, [i, k]), (_, k, j) => at(b, [k, j]));
    expectClose(run(Gemm, [a, b])[0]!, { shape: [3, 3], data: ab });
    expectClose(run(Gemm, [a, b, f32([1], [2])])[0]!, { shape: [3, 3], data: ab.map((v) => v + 2) });
    expectClose(run(Gemm, [a, b, f32([3, 1], [1, 2, 3])])[0]!, { shape: [3, 3], data: ab.map((v, i) => v + [1, 2, 3][Math.floor(i / 3)]!) });
  });

  it("checks shapes and counts MACs", () => {
    expect(infer(Gemm, [tt("f32", [sym("B"), 64]), tt("f32", [29, 64]), tt("f32", [29])], { transB: 1 })[0]!.shape.map(dimToString)).toEqual(["B", "29"]);
    expect(() => infer(Gemm, [tt("f32", [2, 3]), tt("f32", [4, 5])])).toThrow(/inner dims/);
    expect(() => infer(Gemm, [tt("f32", [2, 3]), tt("f32", [3, 5]), tt("f32", [3])])).toThrow(/broadcast/);
    const a = tt("f32", [8, 16]), b = tt("f32", [16, 4]);
    expect(Gemm.macs!([a, b], [tt("f32", [8, 4])], resolveAttrs(Gemm, {}))).toBe(8 * 4 * 16);
  });
});
