// Choosing quantization parameters at compile time (float arithmetic is fine here: none of it
// runs at inference): activation scales and zero points from calibrated ranges, symmetric int8
// weights per output channel, int32 biases, fused-activation clamps and lookup tables.
import { clampOf, type Activation } from "../../ir/activation.js";
import { roundHalfEven } from "../../ir/kernels/onnx-quant-round.js";
import { intRange } from "../../ir/dtype.js";

/** Parameters of an integer activation: real = scale * (q - zeroPoint). */
export interface QParams {
  readonly dtype: "i8" | "i16";
  readonly scale: number;
  readonly zeroPoint: number;
}

export const QMIN = -128;
export const QMAX = 127;
const INT32_MIN = -2147483648, INT32_MAX = 2147483647;

/** int8 parameters covering [min, max] (widened to contain 0), asymmetric or symmetric. */
export function activationParams(min: number, max: number, symmetric: boolean): QParams {
  const lo = Math.min(min, 0), hi = Math.max(max, 0);
  if (symmetric) {
    const a = Math.max(-lo, hi);
    return { dtype: "i8", scale: a > 0 ? a / 127 : 1, zeroPoint: 0 };
  }
  if (!(hi - lo > 0)) return { dtype: "i8", scale: 1, zeroPoint: 0 };
  const scale = (hi - lo) / 255;
  // + 0: a range centred on zero rounds to -0, which would print (and compare) as -0.
  const zp = Math.min(QMAX, Math.max(QMIN, roundHalfEven(QMIN - lo / scale))) + 0;
  return { dtype: "i8", scale, zeroPoint: zp };
}

/** Symmetric int16 parameters (the 16x8 mode's activations) covering [min, max]. */
export function int16Params(min: number, max: number): QParams {
  const a = Math.max(-min, max, 0);
  return { dtype: "i16", scale: a > 0 ? a / 32767 : 1, zeroPoint: 0 };
}

export function sameParams(a: QParams, b: QParams): boolean {
  return a.dtype === b.dtype && a.scale === b.scale && a.zeroPoint === b.zeroPoint;
}

export interface QuantizedWeights {
  readonly q: Int8Array;
  /** One scale per channel (or one). */
  readonly scales: number[];
}

/**
 * Symmetric int8 weights in [-127, 127], per channel along axis `axis` of `shape` (or per tensor).
 * A channel of zeros gets scale 1 (any scale represents it exactly).
 */
export function quantizeWeights(w: ArrayLike<number>, shape: readonly number[], axis: number, perChannel: boolean): QuantizedWeights {
  const r = quantizeWeightsTo(8, w, shape, axis, perChannel);
  return { q: r.q as Int8Array, scales: r.scales };
}

/** Symmetric weights of `bits` (8 or 16: [-127, 127] or [-32767, 32767]), as quantizeWeights. */
export function quantizeWeightsTo(bits: 8 | 16, w: ArrayLike<number>, shape: readonly number[], axis: number, perChannel: boolean): { q: Int8Array | Int16Array; scales: number[] } {
  const top = 2 ** (bits - 1) - 1;
  const C = perChannel ? shape[axis]! : 1;
  const inner = perChannel ? shape.slice(axis + 1).reduce((p, d) => p * d, 1) : w.length;
  const maxAbs = new Float64Array(C);
  for (let i = 0; i < w.length; i++) {
    const c = perChannel ? Math.floor(i / inner) % C : 0;
    const a = Math.abs(w[i]!);
    if (a > maxAbs[c]!) maxAbs[c] = a;
  }
  const scales = Array.from(maxAbs, (m) => (m > 0 ? m / top : 1));
  const q = bits === 8 ? new Int8Array(w.length) : new Int16Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const c = perChannel ? Math.floor(i / inner) % C : 0;
    const v = roundHalfEven(w[i]! / scales[c]!);
    q[i] = v < -top ? -top : v > top ? top : v;
  }
  return { q, scales };
}

/** Whether every b / (s_x * s_w[c]) fits an int32 (the bias of a 16x16 layer may not). */
export function biasFits(b: ArrayLike<number>, xScale: number, wScales: readonly number[]): boolean {
  for (let i = 0; i < b.length; i++) if (Math.abs(b[i]! / (xScale * wScales[wScales.length === 1 ? 0 : i]!)) >= INT32_MAX) return false;
  return true;
}

/** int32 bias b / (s_x * s_w[c]), rounded half to even and saturated. */
export function quantizeBias(b: ArrayLike<number>, xScale: number, wScales: readonly number[]): Int32Array {
  const out = new Int32Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const v = roundHalfEven(b[i]! / (xScale * wScales[wScales.length === 1 ? 0 : i]!));
    out[i] = v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
  }
  return out;
}

/**
 * The clamp a fused activation becomes on the output's integer grid (the whole int8 or int16 range when
 * there is none); undefined when the activation is no clamp (ir/activation.ts clampOf).
 */
export function activationClamp(act: Activation | undefined, out: QParams): { qmin: number; qmax: number } | undefined {
  const [lo, hi] = intRange(out.dtype);
  if (!act) return { qmin: lo, qmax: hi };
  const c = clampOf(act);
  if (!c) return undefined;
  const q = (v: number) => Math.max(lo, Math.min(hi, roundHalfEven(v / out.scale) + out.zeroPoint));
  return { qmin: c.lo === -Infinity ? lo : q(c.lo), qmax: c.hi === Infinity ? hi : q(c.hi) };
}

/** Quantizes real results onto an 8-bit grid (NaN to the zero point), for lookup tables. */
export function quantizeTable(values: ArrayLike<number>, out: QParams): number[] {
  return Array.from({ length: values.length }, (_, i) => {
    const v = values[i]!;
    if (v !== v) return out.zeroPoint;
    const q = roundHalfEven(v / out.scale) + out.zeroPoint;
    return q < QMIN ? QMIN : q > QMAX ? QMAX : q;
  });
}
