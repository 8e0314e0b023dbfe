// Test helpers for the elementwise ops: build tensors, run an op's kernel or type rule, import a node.
import type { Dim } from "../../../ir/dim.js";
import type { DType } from "../../../ir/dtype.js";
import { evalOp, foldOp, inferOp, type Attrs } from "../../helpers/op-harness.js";
import { tensorFromF64, tensorToF64 } from "../../../ir/float-formats.js";
import { makeTensor, type Tensor, type TensorType } from "../../../ir/types.js";

export type { Attrs };

/** A tensor holding these real values (f16/bf16/f8 encoded, bigint storage for i64/u64, bool from 0/1). */
export function t(dtype: DType, shape: number[], values: number[]): Tensor {
  return tensorFromF64(dtype, shape, values);
}

export function big(dtype: "i64" | "u64", shape: number[], values: bigint[]): Tensor {
  const x = makeTensor(dtype, shape);
  (x.data as BigInt64Array).set(values);
  return x;
}

export function strings(shape: number[], values: string[]): Tensor {
  return makeTensor("string", shape, values);
}

export { importNode, type FakeModel } from "../../helpers/op-harness.js";

export function run(op: string, inputs: (Tensor | undefined)[], attrs: Attrs = {}): Tensor {
  return evalOp(op, inputs, attrs)[0]!;
}

export function infer(op: string, inputs: (TensorType | undefined)[], attrs: Attrs = {}): TensorType {
  return inferOp(op, inputs, attrs)[0]!;
}

export const fold = foldOp;

/** Raw stored elements (bits of packed floats, bigints, strings) as a plain array. */
export const raw = (d: Tensor["data"]): (number | bigint | string)[] => Array.from(d as ArrayLike<number | bigint | string>);
/** Element values as plain numbers (bigints converted, packed floats decoded). */
export const nums = (x: Tensor): number[] => Array.from(tensorToF64(x));
export const ty = (dtype: DType, shape: Dim[]): TensorType => ({ dtype, shape });
