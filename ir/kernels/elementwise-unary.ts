// Unary elementwise kernels: one tight loop per op over typed arrays (no per-element callbacks).
//
// Float ops run on Float32Array (f32, and f16/bf16 widened to f32 by the caller) or Float64Array;
// the math is done in double and rounded by the store. The ops that ONNX also defines on integers
// (Abs, Neg, Relu, Clip) take any numeric storage; bigint storage has its own loops.
import type { NumArr } from "./elementwise.js";
import { erf, gelu, geluTanh } from "./elementwise-math.js";

export type UnaryOp =
  | "Sqrt" | "Exp" | "Log" | "Neg" | "Abs" | "Reciprocal" | "Floor" | "Ceil" | "Relu" | "LeakyRelu"
  | "Elu" | "Selu" | "Sigmoid" | "HardSigmoid" | "HardSwish" | "Tanh" | "Erf" | "Gelu" | "GeluTanh" | "Softplus";

/** Applies `op` to x into out (same length). alpha/beta/gamma are the op's attributes where it has them. */
export function unaryKernel(op: UnaryOp, x: NumArr, out: NumArr, alpha = 0, beta = 0, gamma = 0): void {
  const n = x.length;
  switch (op) {
    case "Sqrt": for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!); return;
    case "Exp": for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!); return;
    case "Log": for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!); return;
    case "Neg": for (let i = 0; i < n; i++) out[i] = -x[i]!; return;
    case "Abs": for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!); return;
    case "Reciprocal": for (let i = 0; i < n; i++) out[i] = 1 / x[i]!; return;
    case "Floor": for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!); return;
    case "Ceil": for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!); return;
    case "Relu":
      // NaN stays NaN (numpy.maximum(x, 0) semantics).
      for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v < 0 ? 0 : v; }
      return;
    case "LeakyRelu":
      for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v < 0 ? alpha * v : v; }
      return;
    case "Elu":
      for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v < 0 ? alpha * Math.expm1(v) : v; }
      return;
    case "Selu":
      for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v <= 0 ? gamma * alpha * Math.expm1(v) : gamma * v; }
      return;
    case "Sigmoid":
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        // Two forms so exp never overflows into Inf/Inf.
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      return;
    case "HardSigmoid":
      for (let i = 0; i < n; i++) { const v = alpha * x[i]! + beta; out[i] = v < 0 ? 0 : v > 1 ? 1 : v; }
      return;
    case "HardSwish":
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const h = v / 6 + 0.5;
        out[i] = v * (h < 0 ? 0 : h > 1 ? 1 : h);
      }
      return;
    case "Tanh": for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!); return;
    case "Erf": for (let i = 0; i < n; i++) out[i] = erf(x[i]!); return;
    case "Gelu": for (let i = 0; i < n; i++) out[i] = gelu(x[i]!); return;
    case "GeluTanh": for (let i = 0; i < n; i++) out[i] = geluTanh(x[i]!); return;
    case "Softplus":
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        // log(1 + e^v) without overflow for large v.
        out[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      }
      return;
  }
}

/** The unary ops ONNX defines on int64 (Abs, Neg, Relu) over bigint storage. */
export function unaryBigKernel(op: "Abs" | "Neg" | "Relu", x: BigInt64Array | BigUint64Array, out: BigInt64Array | BigUint64Array): void {
  const n = x.length;
  switch (op) {
    case "Abs": for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v < 0n ? -v : v; } return;
    case "Neg": for (let i = 0; i < n; i++) out[i] = -x[i]!; return;
    case "Relu": for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v < 0n ? 0n : v; } return;
  }
}

/**
 * Clip to [lo, hi] (either may be absent: ±Inf). NaN passes through; when lo > hi every value
 * becomes hi, as the ONNX spec says.
 */
export function clipKernel(x: NumArr, out: NumArr, lo: number, hi: number): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    let v = x[i]!;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    out[i] = v;
  }
}

/** Clip over bigint storage; undefined bounds are open. */
export function clipBigKernel(x: BigInt64Array | BigUint64Array, out: BigInt64Array | BigUint64Array, lo: bigint | undefined, hi: bigint | undefined): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    let v = x[i]!;
    if (lo !== undefined && v < lo) v = lo;
    if (hi !== undefined && v > hi) v = hi;
    out[i] = v;
  }
}
