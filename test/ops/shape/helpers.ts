// Test helpers of the shape ops: tensors and types to feed them; running ops and importing
// nodes comes from test/helpers/op-harness.ts.
import type { Dim } from "../../../ir/dim.js";
import { fromNumbers, type Tensor, type TensorType } from "../../../ir/types.js";
import type { DType } from "../../../ir/dtype.js";

export { evalOp, inferOp, foldOp, importNode, type Attrs, type FakeModel } from "../../helpers/op-harness.js";

export const t = (dtype: DType, shape: number[], values: number[]): Tensor => fromNumbers(dtype, shape, values);
export const i64 = (values: number[], shape = [values.length]): Tensor => fromNumbers("i64", shape, values);
export const nums = (x: Tensor): number[] => Array.from(x.data as ArrayLike<number | bigint>, Number);
export const ty = (dtype: DType, shape: Dim[]): TensorType => ({ dtype, shape });
