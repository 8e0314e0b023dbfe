// Scales and zero points of the quantized matmuls and convolutions: one value per tensor, or one
// per row of A / per column of B / per output channel of W.
//
// Accepted shapes: a scalar or any one-element tensor (per tensor); a vector of the right
// length; or, for matmul operands, a tensor with unit dims except the row dim (..., M, 1) or the
// column dim (..., 1, N), the broadcastable form some exporters write.
import { dimEquals, dimToString, type Dim } from "../../dim.js";
import { tensorToF64 } from "../../float-formats.js";
import type { Tensor, TensorType } from "../../types.js";

export type ParamAxis = "row" | "column" | "channel";

function fits(shape: readonly Dim[], count: Dim, axis: ParamAxis): boolean {
  if (shape.every((d) => d === 1)) return true;
  if (shape.length === 1) return dimEquals(shape[0]!, count);
  const at = axis === "row" ? shape.length - 2 : shape.length - 1;
  if (axis === "channel") return false;
  return shape.every((d, i) => (i === at ? dimEquals(d, count) : d === 1));
}

/** Type-level check; `count` is M, N or the number of output channels. */
export function checkRowColType(what: string, t: TensorType | undefined, count: Dim, axis: ParamAxis): void {
  if (!t) return;
  if (!fits(t.shape, count, axis)) {
    throw new Error(`${what} has shape [${t.shape.map(dimToString).join(",")}]; expected a scalar or one value per ${axis} (${dimToString(count)})`);
  }
}

/** The values as a Float64Array of length 1 (per tensor) or count; zeros when t is absent. */
export function rowColValues(what: string, t: Tensor | undefined, count: number, axis: ParamAxis): Float64Array {
  if (!t) return new Float64Array(1);
  if (!fits(t.shape, count, axis)) {
    throw new Error(`${what} has shape [${t.shape.join(",")}]; expected a scalar or one value per ${axis} (${count})`);
  }
  const v = tensorToF64(t);
  return v.length === 1 ? Float64Array.of(v[0]!) : Float64Array.from(v);
}
