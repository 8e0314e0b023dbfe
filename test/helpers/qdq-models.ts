// Small quantized ONNX models for the import tests: a float input quantized by QuantizeLinear,
// one QOperator (com.microsoft) or QDQ op, and the hand formulas of ONNX's quantization (round
// half to even, saturate) the tests compare against. Random data comes from neonc/testing (Rng).
import { intRange, type DType } from "../../ir/dtype.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { buildModel, type ModelSpec, type NodeSpec } from "./onnx-builder.js";

export type Q8 = "u8" | "i8";

/** Round half to even, written from the definition (not the library's helper). */
export function rhe(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** ONNX's quantization of a real value already divided by its scale. */
export function q(v: number, zp: number, dt: Q8): number {
  const [lo, hi] = intRange(dt as DType);
  return Math.min(hi, Math.max(lo, rhe(v) + zp));
}

export const f32 = (shape: number[], v: number[]): Tensor => fromNumbers("f32", shape, v);
export const scalar = (dt: DType, v: number): Tensor => fromNumbers(dt, [], [v]);

/** The integer inputs QuantizeLinear(x, s, zp) gives, computed by hand. */
export function quantized(x: readonly number[], s: number, zp: number, dt: Q8): number[] {
  // ONNX rounds x / scale to float32 before rounding to an integer.
  return x.map((v) => q(Math.fround(Math.fround(v) / Math.fround(s)), zp, dt));
}

export interface QInput {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: Q8;
  readonly scale: number;
  readonly zeroPoint: number;
}

/**
 * A model whose float inputs are quantized (QuantizeLinear, default domain) and fed to `node`;
 * the node's output is the graph's (integer) output. Parameter constants are named
 * `<input>_s` / `<input>_z` and added to `extra` initializers by the caller as needed.
 */
export function qModel(inputs: readonly QInput[], node: NodeSpec, output: { name: string; shape: number[]; dtype: DType }, extra: Record<string, Tensor> = {}, opset = 13): ModelSpec {
  const initializers: Record<string, Tensor> = { ...extra };
  const nodes: NodeSpec[] = [];
  for (const i of inputs) {
    initializers[`${i.name}_s`] = scalar("f32", i.scale);
    initializers[`${i.name}_z`] = scalar(i.dtype, i.zeroPoint);
    nodes.push({ op: "QuantizeLinear", inputs: [`${i.name}_f`, `${i.name}_s`, `${i.name}_z`], outputs: [i.name], name: `quant_${i.name}` });
  }
  nodes.push(node);
  return {
    inputs: inputs.map((i) => ({ name: `${i.name}_f`, shape: i.shape })),
    outputs: [output],
    nodes,
    initializers,
    opset,
  };
}

export function bytesOf(spec: ModelSpec): Uint8Array {
  return buildModel(spec);
}
