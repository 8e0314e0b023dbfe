// Cast between any two IR dtypes, with ONNX Cast semantics.
//
// - float -> float rounds to nearest even (out of range: ±Inf; float8 per the `saturate` rules in
//   ir/float-formats.ts). The exception is a cast to bf16, which drops the low 16 bits of the f32
//   value as the ONNX reference does (and as the backend test data of onnx 1.15 expects); kernels
//   that store bf16 results otherwise round to nearest even.
// - float -> integer truncates toward zero (out of range is undefined in ONNX: it wraps here, NaN
//   and ±Inf give 0); integer -> integer keeps the low bits (200 as i16 -> -56 as i8).
// - anything -> bool is x != 0 (NaN is true); bool -> number is 0/1.
// - string -> number parses plain and scientific notation and INF/+INF/-INF/NaN in any case;
//   number -> string prints what numpy's str() prints for a scalar of the source type.
import type { DType, TensorData } from "../dtype.js";
import { isBig, isInteger } from "../dtype.js";
import {
  f32ToBf16BitsTruncate, formatReal, isFloat8, parseNumber, storeReals, tensorToF64,
} from "../float-formats.js";
import { makeTensor, type Tensor } from "../types.js";

export function castTensor(x: Tensor, to: DType, saturate = true): Tensor {
  if (x.dtype === to) return x;
  const out = makeTensor(to, x.shape);
  castInto(x.dtype, x.data, to, out.data, saturate);
  return out;
}

function castInto(from: DType, src: TensorData, to: DType, dst: TensorData, saturate: boolean): void {
  const n = src.length;
  if (from === "string") return castFromStrings(src as string[], to, dst, saturate);
  if (to === "string") return castToStrings(from, src, dst as string[]);

  if (isBig(from)) {
    const s = src as BigInt64Array | BigUint64Array;
    if (isBig(to)) {
      const d = dst as BigInt64Array;
      for (let i = 0; i < n; i++) d[i] = s[i]!; // the store wraps to the target's 64 bits
      return;
    }
    if (to === "bool") {
      const d = dst as Uint8Array;
      for (let i = 0; i < n; i++) d[i] = s[i] === 0n ? 0 : 1;
      return;
    }
    if (isInteger(to)) {
      // Keep the low 32 bits exactly; the narrower store then keeps its own low bits.
      const d = dst as Int32Array;
      for (let i = 0; i < n; i++) d[i] = Number(BigInt.asIntN(32, s[i]!));
      return;
    }
    const vals = new Float64Array(n);
    for (let i = 0; i < n; i++) vals[i] = Number(s[i]!);
    storeReals(to, vals, dst, saturate);
    return;
  }

  if (isBig(to)) {
    const d = dst as BigInt64Array;
    const vals = from === "f64" || from === "f32" || isInteger(from) || from === "bool" ? (src as Float64Array) : tensorToF64({ dtype: from, shape: [n], data: src });
    for (let i = 0; i < n; i++) {
      const v = vals[i]!;
      d[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
    }
    return;
  }

  // Only numbers below this point. Packed floats are widened to real values first.
  const vals = from === "f16" || from === "bf16" || isFloat8(from) ? tensorToF64({ dtype: from, shape: [n], data: src }) : (src as Float64Array);
  if (to === "bf16") {
    const d = dst as Uint16Array;
    for (let i = 0; i < n; i++) d[i] = f32ToBf16BitsTruncate(vals[i]!);
    return;
  }
  storeReals(to, vals, dst, saturate);
}

function castFromStrings(src: string[], to: DType, dst: TensorData, saturate: boolean): void {
  const n = src.length;
  if (isBig(to)) {
    const d = dst as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const s = src[i]!.trim();
      // Integer literals go through BigInt so all 64 bits survive.
      if (/^[+-]?\d+$/.test(s)) d[i] = BigInt(s);
      else {
        const v = parseNumber(s);
        d[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
      }
    }
    return;
  }
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) vals[i] = parseNumber(src[i]!);
  if (to === "f32") {
    (dst as Float32Array).set(vals);
    return;
  }
  storeReals(to, vals, dst, saturate);
}

function castToStrings(from: DType, src: TensorData, dst: string[]): void {
  const n = src.length;
  if (from === "bool") {
    const s = src as Uint8Array;
    for (let i = 0; i < n; i++) dst[i] = s[i] ? "True" : "False";
    return;
  }
  if (isInteger(from)) {
    for (let i = 0; i < n; i++) dst[i] = String(src[i]);
    return;
  }
  const vals = tensorToF64({ dtype: from, shape: [n], data: src });
  for (let i = 0; i < n; i++) dst[i] = formatReal(vals[i]!, from);
}
