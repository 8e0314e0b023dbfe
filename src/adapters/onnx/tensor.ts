// ONNX TensorProto <-> IR Tensor, and reading/writing tensor files (`*.pb`).
//
// Reads every storage form: raw_data (little-endian), the typed repeated fields, and external
// data files, which must stay inside the model's folder. Sizes are checked against the data
// before anything is allocated, so a file declaring absurd dims fails cleanly.
import { readFileSync, realpathSync, statSync, openSync, readSync, closeSync } from "node:fs";
import path from "node:path";
import { allocData, byteSize, type DType, type TensorData } from "../../../ir/dtype.js";
import { MAX_ELEMENTS, type Tensor } from "../../../ir/types.js";
import { ModelError, errorMessage } from "../../../ir/errors.js";
import { dtypeFromOnnx, dtypeToOnnx, onnxTypeName } from "../../../ir/onnx-dtypes.js";
import { onnx, toBig, toNum, type TensorProto } from "./proto.js";

export interface TensorDecodeOptions {
  /** Folder of the model file, for external data. */
  baseDir?: string;
  /** Prefix for error messages, e.g. `model.onnx: initializer "w"`. */
  where: string;
}

export function tensorFromProto(tp: TensorProto, opts: TensorDecodeOptions): Tensor {
  const code = tp.dataType ?? 0;
  const dtype = dtypeFromOnnx(code);
  if (!dtype) throw new ModelError(`${opts.where} has data type ${onnxTypeName(code)}, which neonc does not support`);
  const shape = (tp.dims ?? []).map(toNum);
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ModelError(`${opts.where} has an invalid dim ${d}`);
    n *= d;
  }
  if (n > MAX_ELEMENTS) throw new ModelError(`${opts.where} declares ${n} elements (shape [${shape.join(",")}]), more than neonc's limit of ${MAX_ELEMENTS}`);

  if (tp.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const raw = readExternal(tp, n * byteSize(dtype), opts);
    return { dtype, shape, data: fromRaw(dtype, raw, n, opts.where) };
  }
  if (tp.rawData && tp.rawData.length > 0) {
    return { dtype, shape, data: fromRaw(dtype, tp.rawData, n, opts.where) };
  }
  return { dtype, shape, data: fromFields(dtype, tp, n, opts.where) };
}

function fromRaw(dtype: DType, raw: Uint8Array, n: number, where: string): TensorData {
  if (dtype === "string") throw new ModelError(`${where}: string tensors cannot use raw_data`);
  const size = byteSize(dtype);
  if (raw.length !== n * size) {
    throw new ModelError(`${where} holds ${raw.length} bytes of data, its shape needs ${n * size}`);
  }
  const out = allocData(dtype, n);
  // Copy into fresh, aligned storage (raw_data may sit at any offset of the decoded buffer).
  new Uint8Array((out as Uint8Array).buffer).set(raw);
  return out;
}

function fromFields(dtype: DType, tp: TensorProto, n: number, where: string): TensorData {
  const need = (len: number, field: string) => {
    if (len !== n) throw new ModelError(`${where} holds ${len} values in ${field}, its shape needs ${n}`);
  };
  const out = allocData(dtype, n);
  switch (dtype) {
    case "f32": {
      const v = tp.floatData ?? [];
      need(v.length, "float_data");
      (out as Float32Array).set(v);
      return out;
    }
    case "f64": {
      const v = tp.doubleData ?? [];
      need(v.length, "double_data");
      (out as Float64Array).set(v);
      return out;
    }
    case "i64": {
      const v = tp.int64Data ?? [];
      need(v.length, "int64_data");
      const o = out as BigInt64Array;
      for (let i = 0; i < n; i++) o[i] = toBig(v[i]);
      return out;
    }
    case "u32": case "u64": {
      const v = tp.uint64Data ?? [];
      need(v.length, "uint64_data");
      if (dtype === "u64") {
        const o = out as BigUint64Array;
        for (let i = 0; i < n; i++) o[i] = toBig(v[i], true);
      } else {
        const o = out as Uint32Array;
        for (let i = 0; i < n; i++) o[i] = toNum(v[i]);
      }
      return out;
    }
    case "string": {
      const v = tp.stringData ?? [];
      need(v.length, "string_data");
      const dec = new TextDecoder();
      return v.map((b) => dec.decode(b));
    }
    default: {
      // int32_data carries every type of 32 bits or fewer (f16/bf16/float8 as bit patterns).
      const v = tp.int32Data ?? [];
      need(v.length, "int32_data");
      const o = out as Int32Array;
      for (let i = 0; i < n; i++) o[i] = v[i]!;
      return out;
    }
  }
}

function readExternal(tp: TensorProto, bytes: number, opts: TensorDecodeOptions): Uint8Array {
  const kv = new Map((tp.externalData ?? []).map((e) => [e.key ?? "", e.value ?? ""]));
  const location = kv.get("location");
  if (!location) throw new ModelError(`${opts.where} uses external data without a location`);
  if (!opts.baseDir) throw new ModelError(`${opts.where} uses external data, which needs the model's folder`);
  if (path.isAbsolute(location)) throw new ModelError(`${opts.where}: external data path "${location}" is absolute; it must be relative to the model's folder`);
  const base = realpathSync(opts.baseDir);
  const file = path.resolve(base, location);
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    throw new ModelError(`${opts.where}: external data file "${location}" does not exist`);
  }
  const rel = path.relative(base, real);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new ModelError(`${opts.where}: external data path "${location}" leaves the model's folder; refused`);
  }
  const offset = kv.has("offset") ? Number(kv.get("offset")) : 0;
  const length = kv.has("length") ? Number(kv.get("length")) : bytes;
  const size = statSync(real).size;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || offset + length > size) {
    throw new ModelError(`${opts.where}: external data range offset ${offset}, length ${length} does not fit "${location}" (${size} bytes)`);
  }
  if (length !== bytes) throw new ModelError(`${opts.where}: external data has ${length} bytes, its shape needs ${bytes}`);
  const buf = Buffer.alloc(length);
  const fd = openSync(real, "r");
  try {
    readSync(fd, buf, 0, length, offset);
  } finally {
    closeSync(fd);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** Encodes a tensor as a TensorProto (raw_data for every numeric type). */
export function tensorToProto(t: Tensor, name: string): onnxProtoTensor {
  const tp = onnx.TensorProto.create({ name, dataType: dtypeToOnnx(t.dtype), dims: [...t.shape] });
  if (t.dtype === "string") {
    const enc = new TextEncoder();
    tp.stringData = (t.data as string[]).map((s) => enc.encode(s));
  } else {
    const d = t.data as Exclude<TensorData, string[]>;
    tp.rawData = new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  }
  return tp;
}
type onnxProtoTensor = InstanceType<typeof onnx.TensorProto>;

/** Reads a serialized TensorProto file and returns its name and value. */
export function readTensorFile(file: string): { name: string; tensor: Tensor } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ModelError(`${file}: cannot read the file (${errorMessage(e)})`);
  }
  let tp: TensorProto;
  try {
    tp = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`${file}: not a valid ONNX TensorProto file (${errorMessage(e)})`);
  }
  const tensor = tensorFromProto(tp, { where: file, baseDir: path.dirname(file) });
  return { name: tp.name ?? "", tensor };
}

/** Serialized TensorProto bytes of a named tensor. */
export function encodeTensorFile(t: Tensor, name: string): Uint8Array {
  return onnx.TensorProto.encode(tensorToProto(t, name)).finish();
}
