// Raw tensor files: the bytes the generated C harness (main.c) reads and writes, the tensor's
// elements in row-major order, little-endian, with no header. These functions turn them into
// TensorProto (.pb) files and back, and compare an output with a reference, so the generated C
// can be used by hand (`neonc tensor to-raw / from-raw / compare`, docs/codegen.md).
import { readFileSync, statSync } from "node:fs";
import { allocData, byteSize, isDType, type DType } from "../../../ir/dtype.js";
import type { Tensor } from "../../../ir/types.js";
import { ModelError, UsageError } from "../../../ir/errors.js";
import { fsReason } from "../fs-errors.js";
import { readTensorFile } from "./tensor.js";

/** The raw bytes of a numeric tensor (a view of its data, not a copy). */
export function rawTensorBytes(t: Tensor): Uint8Array {
  const d = t.data;
  if (Array.isArray(d)) throw new ModelError(`a ${t.dtype} tensor has no raw form`);
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** A tensor of `dtype` and `shape` from raw bytes; `where` names the source in errors. */
export function tensorFromRaw(bytes: Uint8Array, dtype: DType | string, shape: readonly number[], where = "raw data"): Tensor {
  if (!isDType(dtype) || dtype === "string") throw new UsageError(`${where}: unknown or non-numeric data type '${dtype}'`);
  const n = shape.reduce((a, b) => a * b, 1);
  const want = n * byteSize(dtype);
  if (bytes.length !== want) {
    throw new ModelError(`${where} holds ${bytes.length} bytes; ${dtype}[${shape.join(",")}] needs ${want}`);
  }
  const data = allocData(dtype, n);
  new Uint8Array((data as Uint8Array).buffer).set(bytes);
  return { dtype, shape: [...shape], data };
}

/** True when the file is a TensorProto (.pb) file rather than raw bytes: by its name. */
export function isTensorProtoFile(file: string): boolean {
  return file.endsWith(".pb");
}

/** Reads a raw file as a tensor of `like`'s dtype and shape. */
export function readRawFile(file: string, like: Pick<Tensor, "dtype" | "shape">): Tensor {
  let bytes: Uint8Array;
  try {
    if (!statSync(file).isFile()) throw new ModelError(`${file}: not a file`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`${file}: cannot read it (${fsReason(e)})`);
  }
  return tensorFromRaw(bytes, like.dtype, like.shape, file);
}

/**
 * Reads two tensors to compare: .pb files as TensorProto, any other file as raw bytes with the
 * dtype and shape of the other one (at least one must be a .pb file).
 */
export function readComparable(a: string, b: string): { a: Tensor; b: Tensor } {
  if (!isTensorProtoFile(a) && !isTensorProtoFile(b)) throw new UsageError(`${a} and ${b} are both raw; give the reference as a TensorProto .pb file so its dtype and shape are known`);
  const ta = isTensorProtoFile(a) ? readTensorFile(a).tensor : undefined;
  const tb = isTensorProtoFile(b) ? readTensorFile(b).tensor : readRawFile(b, ta!);
  return { a: ta ?? readRawFile(a, tb), b: tb };
}
