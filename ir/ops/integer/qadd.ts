// QAdd and QMul: elementwise integer binary ops with numpy broadcasting, TFLite-style.
//
// QAdd brings both inputs to a common fine scale before adding: each centred input is shifted
// left by `left_shift` (20) and scaled by its own multiplier (a_multiplier/a_shift,
// b_multiplier/b_shift, both below 1: s_a / (2 max(s_a, s_b)) ...), the sum is requantized by
// the output multiplier (2 max(s_a, s_b) / (2^left_shift s_y)). QMul multiplies the centred
// inputs exactly (17 bits) and requantizes by s_a s_b / s_y. Every step uses the node's rounding.
import { defineOp, int } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { broadcastDims } from "../../shape-util.js";
import { multiplyByQuantizedMultiplier } from "../../fixed-point.js";
import { broadcastIndex } from "../../kernels/integer-broadcast.js";
import { requantizeChannels } from "../../kernels/integer-requant.js";
import type { TensorType } from "../../types.js";
import { binaryToOnnx } from "./to-onnx.js";
import { checkRounding, checkZeroPoint, expectDtype, need, outDtype, requantAttrs, requantParams } from "./common.js";

function inferBinary(at: TensorType | undefined, bt: TensorType | undefined, a: { a_zero_point: number; b_zero_point: number }): readonly [TensorType, TensorType] {
  const x = need(at, "a"), y = need(bt, "b");
  expectDtype(x, ["i8", "u8"], "a");
  expectDtype(y, ["i8", "u8"], "b");
  checkZeroPoint(a.a_zero_point, x.dtype, "a_zero_point");
  checkZeroPoint(a.b_zero_point, y.dtype, "b_zero_point");
  return [x, y];
}

export const QAdd = defineOp({
  name: "QAdd",
  doc: "Integer addition with per-input rescaling to a common scale (TFLite style) and a fused clamp.",
  attrs: {
    a_zero_point: int(0), b_zero_point: int(0), left_shift: int(20),
    a_multiplier: int(0), a_shift: int(0), b_multiplier: int(0), b_shift: int(0),
    ...requantAttrs,
  },
  inputs: ["a", "b"],
  outputs: ["y"],
  infer([at, bt], a) {
    const [x, y] = inferBinary(at, bt, a);
    requantParams(a, 1);
    if (a.left_shift < 0 || a.left_shift > 23) throw new Error(`left_shift ${a.left_shift} is outside [0, 23]`);
    requantParams({ ...a, multiplier: [a.a_multiplier, a.b_multiplier], shift: [a.a_shift, a.b_shift] }, 2);
    return [tensorType(outDtype(a), broadcastDims(x.shape, y.shape))];
  },
  evaluate([at, bt], a) {
    const x = need(at, "a"), y = need(bt, "b");
    const rq = requantParams(a, 1);
    const rounding = checkRounding(a.rounding);
    const bc = broadcastIndex(x.shape, y.shape);
    const xd = x.data as NumericArray, yd = y.data as NumericArray;
    const n = bc.ia ? bc.ia.length : bc.ib ? bc.ib.length : xd.length;
    const lsh = 2 ** a.left_shift;
    const { a_multiplier: am, a_shift: as, b_multiplier: bm, b_shift: bs, a_zero_point: az, b_zero_point: bz } = a;
    // Rescaled inputs are computed once per distinct source element, not per output element.
    const ra = new Int32Array(xd.length);
    for (let i = 0; i < xd.length; i++) ra[i] = multiplyByQuantizedMultiplier((xd[i]! - az) * lsh, am, as, rounding);
    const rb = new Int32Array(yd.length);
    for (let i = 0; i < yd.length; i++) rb[i] = multiplyByQuantizedMultiplier((yd[i]! - bz) * lsh, bm, bs, rounding);
    const sum = new Int32Array(n);
    const ia = bc.ia, ib = bc.ib;
    for (let i = 0; i < n; i++) sum[i] = ra[ia ? ia[i]! : i]! + rb[ib ? ib[i]! : i]!;
    const out = makeTensor(outDtype(a), bc.shape);
    requantizeChannels(sum, out.data as NumericArray, 1, 1, n, rq);
    return [out];
  },
  toOnnx: binaryToOnnx("Add"),
});

export const QMul = defineOp({
  name: "QMul",
  doc: "Integer multiplication of centred inputs, requantized by s_a*s_b/s_y, with a fused clamp.",
  attrs: { a_zero_point: int(0), b_zero_point: int(0), ...requantAttrs },
  inputs: ["a", "b"],
  outputs: ["y"],
  infer([at, bt], a) {
    const [x, y] = inferBinary(at, bt, a);
    requantParams(a, 1);
    return [tensorType(outDtype(a), broadcastDims(x.shape, y.shape))];
  },
  evaluate([at, bt], a) {
    const x = need(at, "a"), y = need(bt, "b");
    const rq = requantParams(a, 1);
    const bc = broadcastIndex(x.shape, y.shape);
    const xd = x.data as NumericArray, yd = y.data as NumericArray;
    const n = bc.ia ? bc.ia.length : bc.ib ? bc.ib.length : xd.length;
    const ia = bc.ia, ib = bc.ib, az = a.a_zero_point, bz = a.b_zero_point;
    const prod = new Int32Array(n);
    for (let i = 0; i < n; i++) prod[i] = (xd[ia ? ia[i]! : i]! - az) * (yd[ib ? ib[i]! : i]! - bz);
    const out = makeTensor(outDtype(a), bc.shape);
    requantizeChannels(prod, out.data as NumericArray, 1, 1, n, rq);
    return [out];
  },
  toOnnx: binaryToOnnx("Mul"),
});
