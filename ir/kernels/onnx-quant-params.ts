// How the scale and zero point of QuantizeLinear/DequantizeLinear map onto the elements of x.
//
// ONNX allows three granularities: per tensor (a scalar or a one-element vector), per axis (a
// vector as long as x's `axis` dim) and, from opset 21, blocked (same rank as x, the `axis` dim
// shrunk to ceil(n / block_size)). Viewing x as [outer, n, inner] around the axis, every case is
// one formula: param index = o*so + floor(a/bs)*sa + i*si, which the kernels use directly.
import { ceilDivDim, dimEquals, dimToString, type Dim } from "../dim.js";
import { normAxis } from "../shape-util.js";
import type { TensorType } from "../types.js";

export interface ParamLayout {
  readonly outer: number;
  readonly n: number;
  readonly inner: number;
  readonly so: number;
  readonly sa: number;
  readonly si: number;
  /** Block size along the axis (1 for per-axis and per-tensor). */
  readonly bs: number;
}

function isPerTensor(shape: readonly Dim[]): boolean {
  return shape.length === 0 || (shape.length === 1 && shape[0] === 1);
}

/** Type-level check of a scale or zero-point shape against x (symbolic dims allowed). */
export function checkParamType(what: string, x: TensorType, p: TensorType, axis: number, blockSize: number): void {
  if (isPerTensor(p.shape)) return;
  const ax = normAxis(axis, x.shape.length);
  const xs = `[${x.shape.map(dimToString).join(",")}]`;
  const ps = `[${p.shape.map(dimToString).join(",")}]`;
  if (blockSize > 0) {
    const ok = p.shape.length === x.shape.length &&
      p.shape.every((d, i) => dimEquals(d, i === ax ? ceilDivDim(x.shape[i]!, blockSize) : x.shape[i]!));
    if (!ok) throw new Error(`${what} has shape ${ps}; blocked quantization of x ${xs} along axis ${ax} with block_size ${blockSize} needs x's shape with dim ${ax} = ceil(${dimToString(x.shape[ax]!)}/${blockSize})`);
    return;
  }
  if (p.shape.length !== 1 || !dimEquals(p.shape[0]!, x.shape[ax]!)) {
    throw new Error(`${what} has shape ${ps}; expected a scalar or a vector of x's dim ${ax} (x is ${xs})`);
  }
}

/** The runtime layout of a parameter tensor of shape pShape for x of shape xShape. */
export function paramLayout(xShape: readonly number[], pShape: readonly number[], axis: number, blockSize: number): ParamLayout {
  const rank = xShape.length;
  if (isPerTensor(pShape) || rank === 0) {
    if (!isPerTensor(pShape)) throw new Error(`a scalar x needs a scalar scale, got [${pShape.join(",")}]`);
    let total = 1;
    for (const d of xShape) total *= d;
    return { outer: 1, n: total, inner: 1, so: 0, sa: 0, si: 0, bs: 1 };
  }
  const ax = normAxis(axis, rank);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < ax; i++) outer *= xShape[i]!;
  for (let i = ax + 1; i < rank; i++) inner *= xShape[i]!;
  const n = xShape[ax]!;
  checkParamType("the scale or zero point", { dtype: "f32", shape: xShape }, { dtype: "f32", shape: pShape }, axis, blockSize);
  if (blockSize > 0) {
    const nb = Math.ceil(n / blockSize);
    return { outer, n, inner, so: nb * inner, sa: inner, si: 1, bs: blockSize };
  }
  return { outer, n, inner, so: 0, sa: 1, si: 0, bs: 1 };
}
