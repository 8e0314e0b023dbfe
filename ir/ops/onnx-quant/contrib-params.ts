// Shared pieces of onnxruntime's QOperator ops (com.microsoft QLinearAdd, QLinearSigmoid, ...):
// the registry key of a com.microsoft op, and the per-tensor scale / zero-point pairs every one
// of them takes (a float32 scalar scale, an optional zero point of the data's 8-bit type).
import type { DType } from "../../dtype.js";
import { intRange } from "../../dtype.js";
import { toNumbers, type Tensor, type TensorType } from "../../types.js";
import { quantizeValue } from "../../kernels/onnx-quant-round.js";

export const Q8: readonly DType[] = ["u8", "i8"];

/** The ONNX op type of a com.microsoft op as the registry lists it ("com.microsoft:QLinearAdd"). */
export function msOp(opType: string): string {
  return `com.microsoft:${opType}`;
}

function isScalar(t: TensorType | Tensor): boolean {
  return t.shape.length === 0 || (t.shape.length === 1 && t.shape[0] === 1);
}

/** Type check of 8-bit data with a per-tensor (scale, zero point?) pair. */
export function checkScalarParams(what: string, x: TensorType, scale: TensorType | undefined, zp: TensorType | undefined): void {
  if (!Q8.includes(x.dtype)) throw new Error(`${what} must be u8 or i8, got ${x.dtype}`);
  if (!scale) throw new Error(`${what}'s scale is missing`);
  if (scale.dtype !== "f32") throw new Error(`${what}'s scale must be f32, got ${scale.dtype}`);
  if (!isScalar(scale)) throw new Error(`${what}'s scale must be a scalar (per-tensor quantization)`);
  if (zp) {
    if (zp.dtype !== x.dtype) throw new Error(`${what}'s zero point has dtype ${zp.dtype}, the data ${x.dtype}`);
    if (!isScalar(zp)) throw new Error(`${what}'s zero point must be a scalar (per-tensor quantization)`);
  }
}

/** The values of a per-tensor pair (zero point 0 when absent). */
export function scalarParams(scale: Tensor | undefined, zp: Tensor | undefined): { scale: number; zeroPoint: number } {
  if (!scale) throw new Error("a scale is missing");
  return { scale: toNumbers(scale)[0]!, zeroPoint: zp ? toNumbers(zp)[0]! : 0 };
}

/** saturate(round_half_even(v) + zp) in dt's range: ONNX's quantization of a real v / scale. */
export function quantizeTo(v: number, zp: number, dt: DType): number {
  const [lo, hi] = intRange(dt);
  return quantizeValue(v, zp, lo, hi);
}
