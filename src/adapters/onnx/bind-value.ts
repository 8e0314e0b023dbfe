// The values a graph input can be bound to at import (the `bind` import option, the CLI's
// --bind NAME=VALUE): a tensor, or plain numbers that take the input's dtype and shape. A value
// that does not fit the input (another dtype or shape, a fraction for an integer input, a number
// out of the dtype's range) is a usage error: the caller asked for something the model cannot be.
import { isSymbolic } from "../../../ir/dim.js";
import { intRange, isInteger, isFloat } from "../../../ir/dtype.js";
import { UsageError } from "../../../ir/errors.js";
import { tensorFromF64 } from "../../../ir/float-formats.js";
import { typeToString, type Tensor, type TensorType } from "../../../ir/types.js";

/** A value to bind a graph input to: a tensor, one number, or a flat list of numbers. */
export type BindValue = Tensor | number | readonly number[];

function isTensor(v: BindValue): v is Tensor {
  return typeof v === "object" && v !== null && "dtype" in v && "shape" in v;
}

/**
 * The tensor input `name` (of type `type`) is bound to; `where` names the model in messages.
 * Numbers fill the input's shape: a scalar takes one, a static shape its element count, a shape
 * with one symbolic dim any multiple of the other dims' product (which then fixes that dim).
 */
export function bindTensor(where: string, name: string, type: TensorType, value: BindValue): Tensor {
  const misfit = (why: string) => new UsageError(`${where}: the value bound to input "${name}" ${why}`);
  if (isTensor(value)) {
    const fits = value.dtype === type.dtype && value.shape.length === type.shape.length && type.shape.every((d, i) => isSymbolic(d) || d === value.shape[i]);
    if (!fits) throw misfit(`is ${value.dtype}[${value.shape.join(",")}], the input is ${typeToString(type)}`);
    return value;
  }
  const values = typeof value === "number" ? [value] : [...value];
  const shape = fillShape(type, values.length);
  if (!shape) throw misfit(`has ${values.length} value${values.length === 1 ? "" : "s"}, which do not fill the input's shape (${typeToString(type)})${type.shape.filter(isSymbolic).length > 1 ? "; give a .pb tensor file for an input with several symbolic dims" : ""}`);
  const bad = values.find((v) => !fitsDType(v, type.dtype));
  if (bad !== undefined) throw misfit(`holds ${bad}, which is not a value of type ${type.dtype} (the input is ${typeToString(type)})`);
  return tensorFromF64(type.dtype, shape, values);
}

function fillShape(type: TensorType, count: number): number[] | undefined {
  const symbolic = type.shape.filter(isSymbolic).length;
  const known = type.shape.filter((d): d is number => !isSymbolic(d)).reduce((p, d) => p * d, 1);
  if (symbolic === 0) return known === count ? (type.shape as number[]) : undefined;
  if (symbolic > 1 || count === 0 || known === 0 || count % known !== 0) return undefined;
  return type.shape.map((d) => (isSymbolic(d) ? count / known : d));
}

function fitsDType(v: number, dtype: TensorType["dtype"]): boolean {
  if (isFloat(dtype)) return true;
  if (dtype === "bool") return v === 0 || v === 1;
  if (!isInteger(dtype) || !Number.isSafeInteger(v)) return false;
  const [lo, hi] = intRange(dtype);
  return v >= lo && v <= hi;
}
