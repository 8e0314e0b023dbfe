// QMatMul: integer x[..., K] (zero point) times w[K, N] plus an int32 bias[N], requantized per
// column or per tensor. Two uses:
// - weights: a constant int8 w (symmetric, per output column). Gemm and MatMul lower to it (the
//   quantize pass transposes a Gemm's B when transB is set). int16 x (16x8 mode, zero point 0)
//   accumulates wide (exact beyond int32, see ir/fixed-point.ts multiplyWide).
// - two activations (attention's Q.K^T and scores.V): w int8 or uint8 with `w_zero_point`, any
//   value (constant or not), and batched: w[..., K, N] with x[..., M, K], the batch dims
//   broadcast as in ONNX MatMul. The product is sum (x - x_zp)(w - w_zp) in int32 (wrapping
//   like int32 hardware), requantized per tensor (a per-column multiplier is allowed too).
import { dimEquals, dimToString, mulDim, type Dim } from "../../dim.js";
import { defineOp, int } from "../../op.js";
import { broadcastDims, broadcastShapes } from "../../shape-util.js";
import { makeTensor, stridesOf, tensorType, type TensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { requantizeChannels } from "../../kernels/integer-requant.js";
import { dimProduct } from "../nn/common.js";
import { checkProductOperands, checkZeroPoint, expectDtype, need, outDtype, requantAttrs, requantParams } from "./common.js";
import { qmatmulToOnnx } from "./to-onnx.js";

/**
 * The operand rule: symmetric int8 w takes x as QConv does (int8/uint8 with a zero point, or
 * int16 symmetric), symmetric int16 w only int16 x (the 16x16 mode); an asymmetric or uint8 w
 * (an activation) takes int8/uint8 x.
 */
function checkOperands(x: TensorType, w: TensorType, xZeroPoint: number, wZeroPoint: number): void {
  if ((w.dtype === "i8" || w.dtype === "i16") && wZeroPoint === 0) return checkProductOperands(x, w, xZeroPoint);
  expectDtype(w, ["i8", "u8"], "w");
  checkZeroPoint(wZeroPoint, w.dtype, "w_zero_point");
  if (x.dtype === "i16") throw new Error("int16 x (the 16x8 mode) takes symmetric int8 w: w must be i8 with w_zero_point 0");
  expectDtype(x, ["i8", "u8"], "x");
  checkZeroPoint(xZeroPoint, x.dtype, "x_zero_point");
}

/** The output shape: x's rows with N columns, or the broadcast batch dims, M and N for batched w. */
function outShape(x: readonly Dim[], w: readonly Dim[]): Dim[] {
  const N = w[w.length - 1]!;
  if (w.length === 2) return [...x.slice(0, -1), N];
  return [...broadcastDims(x.slice(0, -2), w.slice(0, -2)), x[x.length - 2]!, N];
}

/** Element offsets of an operand's batch dims aligned to the broadcast batch shape (0 where broadcast). */
function batchStrides(own: readonly number[], batch: readonly number[], matSize: number): number[] {
  const s = stridesOf(own);
  const out = new Array<number>(batch.length).fill(0);
  for (let i = 0; i < own.length; i++) out[batch.length - own.length + i] = own[i] === 1 ? 0 : s[i]! * matSize;
  return out;
}

export const QMatMul = defineOp({
  name: "QMatMul",
  doc: "Integer matrix product x[...,K] * w[...,K,N] + b[N] with int32 (int16 x: wide) accumulation and per-column or per-tensor requantization.",
  attrs: { x_zero_point: int(0), w_zero_point: int(0), ...requantAttrs },
  inputs: ["x", "w", "b?"],
  outputs: ["y"],
  infer([xt, wt, bt], a) {
    const x = need(xt, "x"), w = need(wt, "w");
    checkOperands(x, w, a.x_zero_point, a.w_zero_point);
    if (x.shape.length < 1 || w.shape.length < 2) throw new Error("x must have rank >= 1 and w must be [K, N] or batched [..., K, N]");
    if (w.shape.length > 2 && x.shape.length < 2) throw new Error("with a batched w [..., K, N], x must be [..., M, K]");
    const K = x.shape[x.shape.length - 1]!, Kw = w.shape[w.shape.length - 2]!, N = w.shape[w.shape.length - 1]!;
    // A symbolic dim against a number is left to run time (as before batching existed).
    if (!dimEquals(K, Kw) && typeof K === typeof Kw) throw new Error(`inner dims differ: x has ${dimToString(K)}, w has ${dimToString(Kw)}`);
    if (bt) {
      expectDtype(bt, ["i32"], "b");
      if (bt.shape.length !== 1 || (typeof N === "number" && bt.shape[0] !== N)) throw new Error(`b must be [${dimToString(N)}]`);
    }
    requantParams(a, typeof N === "number" ? N : undefined);
    return [tensorType(outDtype(a), outShape(x.shape, w.shape))];
  },
  evaluate([xt, wt, bt], a) {
    const x = need(xt, "x"), w = need(wt, "w");
    const wr = w.shape.length;
    const K = w.shape[wr - 2]!, N = w.shape[wr - 1]!;
    if (x.shape[x.shape.length - 1] !== K) throw new Error(`inner dims differ: x has ${x.shape[x.shape.length - 1]}, w has ${K}`);
    const rq = requantParams(a, N);
    const xd = x.data as NumericArray, bd = bt?.data as Int32Array | undefined;
    const wzp = a.w_zero_point, zp = a.x_zero_point;
    // Centred weights once (the zero point of an activation operand), so the loop is one multiply-add.
    const wd: ArrayLike<number> = wzp === 0 ? (w.data as NumericArray) : Int16Array.from(w.data as NumericArray, (v) => v - wzp);
    // Each batch: rows of x from xOff, the [K, N] matrix of w from wOff.
    const batches: { xOff: number; wOff: number }[] = [];
    let rows: number;
    if (wr === 2) {
      rows = xd.length / K;
      batches.push({ xOff: 0, wOff: 0 });
    } else {
      const xs = x.shape as number[], ws = w.shape as number[];
      rows = xs[xs.length - 2]!;
      const xb = xs.slice(0, -2), wb = ws.slice(0, -2);
      const batch = broadcastShapes(xb, wb);
      const xStr = batchStrides(xb, batch, rows * K), wStr = batchStrides(wb, batch, K * N);
      const idx = new Array<number>(batch.length).fill(0);
      const nb = batch.reduce((p, d) => p * d, 1);
      for (let i = 0; i < nb; i++) {
        let xo = 0, wo = 0;
        for (let d = 0; d < batch.length; d++) {
          xo += idx[d]! * xStr[d]!;
          wo += idx[d]! * wStr[d]!;
        }
        batches.push({ xOff: xo, wOff: wo });
        for (let d = batch.length - 1; d >= 0; d--) {
          if (++idx[d]! < batch[d]!) break;
          idx[d] = 0;
        }
      }
    }
    const R = rows * batches.length;
    // 16x8: wide accumulators, exact integers in doubles (see ir/fixed-point.ts multiplyWide).
    const acc = x.dtype === "i16" ? new Float64Array(R * N) : new Int32Array(R * N);
    batches.forEach(({ xOff, wOff }, bi) => {
      for (let r = 0; r < rows; r++) {
        const ar = (bi * rows + r) * N, xr = xOff + r * K;
        if (bd) acc.set(bd, ar);
        for (let k = 0; k < K; k++) {
          const xv = xd[xr + k]! - zp;
          if (xv === 0) continue;
          const wk = wOff + k * N;
          for (let n = 0; n < N; n++) acc[ar + n] += xv * wd[wk + n]!;
        }
      }
    });
    const y = makeTensor(outDtype(a), outShape(x.shape, w.shape) as number[]);
    requantizeChannels(acc, y.data as NumericArray, R, N, 1, rq);
    return [y];
  },
  macs([xt], [y]) {
    const x = need(xt, "x");
    return mulDim(dimProduct(y!.shape), x.shape[x.shape.length - 1]!);
  },
  toOnnx: qmatmulToOnnx,
});
