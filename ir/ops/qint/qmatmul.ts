// QMatMul: integer x[..., K] (zero point) times a constant int8 w[K, N] (symmetric, per output
// column), plus an int32 bias[N], requantized per column. Gemm and MatMul both lower to it
// (the quantize pass transposes a Gemm's B when transB is set). int16 x (16x8 mode, zero point
// 0) accumulates wide.
import { mulDim } from "../../dim.js";
import { defineOp, int } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { requantizeChannels } from "../../../src/runtime/kernels/qint-requant.js";
import { dimProduct } from "../nn/common.js";
import { checkProductOperands, expectDtype, need, outDtype, requantAttrs, requantParams } from "./common.js";
import { qmatmulToOnnx } from "../../../src/export/qdq-ops.js";

export const QMatMul = defineOp({
  name: "QMatMul",
  doc: "Integer matrix product x[...,K] * w[K,N] + b[N] with int32 accumulation and per-column requantization.",
  attrs: { x_zero_point: int(0), ...requantAttrs },
  inputs: ["x", "w", "b?"],
  outputs: ["y"],
  infer([xt, wt, bt], a) {
    const x = need(xt, "x"), w = need(wt, "w");
    checkProductOperands(x, w, a.x_zero_point);
    if (x.shape.length < 1 || w.shape.length !== 2) throw new Error("x must have rank >= 1 and w must be [K, N]");
    const K = x.shape[x.shape.length - 1]!, N = w.shape[1]!;
    if (typeof K === "number" && typeof w.shape[0] === "number" && K !== w.shape[0]) throw new Error(`inner dims differ: x has ${K}, w has ${w.shape[0]}`);
    if (bt) {
      expectDtype(bt, ["i32"], "b");
      if (bt.shape.length !== 1 || (typeof N === "number" && bt.shape[0] !== N)) throw new Error(`b must be [${String(N)}]`);
    }
    requantParams(a, typeof N === "number" ? N : undefined);
    return [tensorType(outDtype(a), [...x.shape.slice(0, -1), N])];
  },
  evaluate([xt, wt, bt], a) {
    const x = need(xt, "x"), w = need(wt, "w");
    const K = w.shape[0]!, N = w.shape[1]!;
    if (x.shape[x.shape.length - 1] !== K) throw new Error(`inner dims differ: x has ${x.shape[x.shape.length - 1]}, w has ${K}`);
    const rq = requantParams(a, N);
    const xd = x.data as NumericArray, wd = w.data as Int8Array, bd = bt?.data as Int32Array | undefined;
    const R = xd.length / K;
    // 16x8: wide accumulators, exact integers in doubles (see ir/fixed-point.ts multiplyWide).
    const acc = x.dtype === "i16" ? new Float64Array(R * N) : new Int32Array(R * N);
    const zp = a.x_zero_point;
    for (let r = 0; r < R; r++) {
      const ar = r * N;
      if (bd) acc.set(bd, ar);
      for (let k = 0; k < K; k++) {
        const xv = xd[r * K + k]! - zp;
        if (xv === 0) continue;
        const wr = k * N;
        for (let n = 0; n < N; n++) acc[ar + n] += xv * wd[wr + n]!;
      }
    }
    const y = makeTensor(outDtype(a), [...x.shape.slice(0, -1), N]);
    requantizeChannels(acc, y.data as NumericArray, R, N, 1, rq);
    return [y];
  },
  macs([xt, wt]) {
    return mulDim(dimProduct(need(xt, "x").shape), need(wt, "w").shape[1]!);
  },
  toOnnx: qmatmulToOnnx,
});
