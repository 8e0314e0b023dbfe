// Weights and biases of the integer products in `import-qdq`: 8-bit constants with per-tensor or
// per-channel parameters become the symmetric int8 weights QConv/QMatMul take (a zero point is
// folded in when the result still fits int8, and a Gemm's transposed B is turned to [K, N]), and
// biases become int32 at the product's scale s_x * s_w[c].
import type { TensorType } from "../../ir/types.js";
import { roundHalfEven } from "../../ir/kernels/onnx-quant-round.js";
import { Q8, type QdqLowering } from "./lowering.js";

export interface Weights {
  readonly name: string;
  readonly scales: number[];
}

/** Symmetric int8 weights from a constant DequantizeLinear (see constWeights). */
export function deqWeights(L: QdqLowering, v: string | undefined, channelAxis: number, transpose = false): Weights | undefined {
  const d = v ? L.deq.get(v) : undefined;
  if (!d || !d.isConst) return undefined;
  if (d.scale.length > 1 && d.axis !== channelAxis) return undefined;
  return constWeights(L, d.src, d.scale, d.zeroPoint, channelAxis, transpose);
}

/**
 * Symmetric int8 weights from a constant 8-bit tensor with per-tensor or per-channel (along
 * channelAxis) parameters: a zero point is folded in when the result fits int8. `transpose`
 * turns a 2-D [N, K] (channels on axis 0) into [K, N] with the channels on axis 1.
 */
export function constWeights(
  L: QdqLowering, src: string, scale: readonly number[], zeroPoint: readonly number[], channelAxis: number, transpose = false,
): Weights | undefined {
  const t = L.const(src);
  if (!t || !Q8.includes(t.dtype) || (transpose && (t.shape.length !== 2 || channelAxis !== 0))) return undefined;
  const C = t.shape[channelAxis]!;
  if (scale.length > 1 && scale.length !== C) return undefined;
  const zps = zeroPoint.length === scale.length ? zeroPoint : scale.map(() => zeroPoint[0] ?? 0);
  const shape = transpose ? [t.shape[1]!, t.shape[0]!] : t.shape;
  const axis = transpose ? 1 : channelAxis;
  const type: TensorType = {
    dtype: "i8", shape, quant: scale.length > 1
      ? { kind: "affine", scale: [...scale], zeroPoint: scale.map(() => 0), axis }
      : { kind: "affine", scale: [...scale], zeroPoint: [0] },
  };
  if (t.dtype === "i8" && zps.every((z) => z === 0) && !transpose) {
    L.types[src] = type;
    return { name: src, scales: [...scale] };
  }
  const inner = t.shape.slice(channelAxis + 1).reduce((p, x) => p * x, 1);
  const q = new Int8Array(t.data.length);
  const [R, K] = [t.shape[0]!, t.shape[1]!];
  for (let i = 0; i < q.length; i++) {
    const c = zps.length > 1 ? Math.floor(i / inner) % C : 0;
    const w = Number(t.data[i]) - zps[c]!;
    if (w < -128 || w > 127) return undefined;
    // Transposed: element [r, k] of [R, K] goes to [k, r] of [K, R].
    q[transpose ? (i % K) * R + Math.floor(i / K) : i] = w;
  }
  const name = L.fresh(`${src}.i8`);
  L.constants[name] = { dtype: "i8", shape, data: q };
  L.types[name] = type;
  return { name, scales: [...scale] };
}

/**
 * An int32 bias at scale s_x * s_w[c], from a DequantizeLinear of int32 or a float constant (one
 * value per channel, or one for all).
 */
export function bias(L: QdqLowering, v: string, sx: number, sw: readonly number[], channels: number): string | undefined {
  const d = L.deq.get(v);
  const f = d ? undefined : L.const(v);
  let real: (i: number) => number;
  if (d && d.isConst) {
    const t = L.constants[d.src]!;
    if (t.data.length !== channels && t.data.length !== 1) return undefined;
    const at = (i: number) => (t.data.length === 1 ? 0 : i);
    real = (i) => (Number(t.data[at(i)]) - d.zeroPoint[d.zeroPoint.length > 1 ? at(i) : 0]!) * d.scale[d.scale.length > 1 ? at(i) : 0]!;
  } else if (f && f.dtype === "f32" && (f.data.length === channels || f.data.length === 1)) {
    real = (i) => Number(f.data[f.data.length === 1 ? 0 : i]);
  } else return undefined;
  const b = new Int32Array(channels);
  for (let i = 0; i < channels; i++) {
    const v2 = roundHalfEven(real(i) / (sx * sw[sw.length > 1 ? i : 0]!));
    b[i] = Math.max(-2147483648, Math.min(2147483647, v2));
  }
  return L.addConstant(`${v}.i32`, { dtype: "i32", shape: [channels], data: b });
}
