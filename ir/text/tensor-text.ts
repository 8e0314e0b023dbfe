// Tensor values in IR text (constants and tensor attributes): a type followed by the data,
//   f32[3] [0.5, -1, 2.25]            a literal list in row-major order, for <= 16 elements
//   f32[8,64,3] base64"AAAA..."        the little-endian bytes, for larger tensors
//   string[2] ["a", "b\n"]             strings are always a list of quoted strings
// Both forms are exact. Literal floats are the shortest decimals that round to the stored value
// (nan, inf, -inf, -0 spelled out); f16, bf16 and float8 elements are their bit patterns in
// hex (0x3c00) since the text must keep every bit; bools are true/false; i64/u64 exact
// integers. A tensor that a list cannot hold exactly (a NaN with a payload, a bool byte other
// than 0 or 1) is written in base64 whatever its size.
import { byteSize, intRange, isBig, isPackedFloat, type DType } from "../dtype.js";
import { isSymbolic } from "../dim.js";
import { makeTensor, numel, type Quant, type Tensor, type TensorType } from "../types.js";
import type { Cursor } from "./cursor.js";
import { formatF32, formatNumber, matchNumber, numberValue, quote } from "./literals.js";
import { formatQuant, formatShape, parseType } from "./type-text.js";

/** Tensors with at most this many elements are written as a literal list. */
export const MAX_LITERAL_ELEMENTS = 16;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `TYPE DATA` for a tensor; `quant` adds the annotation of the value's recorded type. */
export function formatTensor(t: Tensor, quant?: Quant): string {
  const type = `${t.dtype}${formatShape(t.shape)}${quant ? formatQuant(quant) : ""}`;
  return `${type} ${formatTensorData(t)}`;
}

export function formatTensorData(t: Tensor): string {
  if (t.dtype === "string") return `[${(t.data as string[]).map(quote).join(", ")}]`;
  if (t.data.length <= MAX_LITERAL_ELEMENTS && listIsExact(t)) return `[${literalElements(t).join(", ")}]`;
  return `base64"${Buffer.from(rawBytes(t)).toString("base64")}"`;
}

function rawBytes(t: Tensor): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error("IR text needs a little-endian host to write tensor bytes");
  const d = t.data as Exclude<Tensor["data"], string[]>;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function listIsExact(t: Tensor): boolean {
  const d = t.data;
  if (d instanceof Float32Array) {
    const bits = new Uint32Array(d.buffer, d.byteOffset, d.length);
    for (let i = 0; i < d.length; i++) if (d[i] !== d[i] && bits[i] !== 0x7fc00000) return false;
  } else if (d instanceof Float64Array) {
    const bits = new BigUint64Array(d.buffer, d.byteOffset, d.length);
    for (let i = 0; i < d.length; i++) if (d[i] !== d[i] && bits[i] !== 0x7ff8000000000000n) return false;
  } else if (t.dtype === "bool") {
    for (let i = 0; i < d.length; i++) if (d[i] !== 0 && d[i] !== 1) return false;
  }
  return true;
}

function literalElements(t: Tensor): string[] {
  const d = t.data;
  const out = new Array<string>(d.length);
  if (isPackedFloat(t.dtype)) {
    const width = byteSize(t.dtype) * 2;
    for (let i = 0; i < d.length; i++) out[i] = `0x${(d[i] as number).toString(16).padStart(width, "0")}`;
  } else if (t.dtype === "bool") {
    for (let i = 0; i < d.length; i++) out[i] = d[i] ? "true" : "false";
  } else if (t.dtype === "f32") {
    for (let i = 0; i < d.length; i++) out[i] = formatF32(d[i] as number);
  } else if (isBig(t.dtype)) {
    for (let i = 0; i < d.length; i++) out[i] = String(d[i]);
  } else {
    for (let i = 0; i < d.length; i++) out[i] = formatNumber(d[i] as number);
  }
  return out;
}

/** `TYPE DATA`: the tensor and the type written for it (which may carry a quant annotation). */
export function parseTensor(c: Cursor): { tensor: Tensor; type: TensorType } {
  const typeAt = c.skip();
  const type = parseType(c);
  if (type.shape.some(isSymbolic)) c.fail(`a tensor value needs a static shape, found ${formatShape(type.shape)}`, typeAt);
  const shape = type.shape as number[];
  const n = numel(shape);
  let tensor: Tensor;
  try {
    tensor = makeTensor(type.dtype, shape);
  } catch (e) {
    c.fail((e as Error).message, typeAt);
  }
  const at = c.skip();
  if (c.match(/base64(?=")/y) !== undefined) {
    if (type.dtype === "string") c.fail("string tensors are written as a list of strings, not base64", at);
    const text = c.string();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) c.fail("malformed base64 data", at);
    const bytes = Buffer.from(text, "base64");
    const want = n * byteSize(type.dtype);
    if (bytes.length !== want) c.fail(`base64 data holds ${bytes.length} bytes, ${formatShape(shape)} of ${type.dtype} needs ${want}`, at);
    if (!LITTLE_ENDIAN) c.fail("IR text needs a little-endian host to read tensor bytes", at);
    const d = tensor.data as Exclude<Tensor["data"], string[]>;
    new Uint8Array(d.buffer, d.byteOffset, d.byteLength).set(bytes);
  } else if (c.eat("[")) {
    let count = 0;
    if (!c.eat("]")) {
      for (;;) {
        if (count >= n) c.fail(`too many values: ${type.dtype}${formatShape(shape)} holds ${n}`);
        readElement(c, tensor, count++);
        if (c.eat("]")) break;
        c.expect(",", "or ] in a tensor literal");
      }
    }
    if (count !== n) c.fail(`the literal has ${count} values, ${type.dtype}${formatShape(shape)} needs ${n}`, at);
  } else {
    c.fail(`expected tensor data ([...] or base64"..."), found ${c.describeNext()}`);
  }
  return { tensor, type };
}

function readElement(c: Cursor, t: Tensor, i: number): void {
  const dt = t.dtype;
  const at = c.skip();
  if (dt === "string") {
    (t.data as string[])[i] = c.string();
    return;
  }
  if (dt === "bool") {
    const w = c.match(/(?:true|false|0|1)(?![A-Za-z0-9_.])/y);
    if (w === undefined) c.fail(`expected true or false, found ${c.describeNext()}`);
    (t.data as Uint8Array)[i] = w === "true" || w === "1" ? 1 : 0;
    return;
  }
  const text = matchNumber(c);
  if (text === undefined) c.fail(`expected a ${dt} value, found ${c.describeNext()}`);
  if (isBig(dt)) {
    if (!/^-?(\d+|0[xX][0-9a-fA-F]+)$/.test(text)) c.fail(`expected an integer for ${dt}, found ${text}`, at);
    const neg = text.startsWith("-");
    const mag = BigInt(neg ? text.slice(1) : text);
    const v = neg ? -mag : mag;
    const [lo, hi] = dt === "i64" ? [-(1n << 63n), (1n << 63n) - 1n] : [0n, (1n << 64n) - 1n];
    if (v < lo || v > hi) c.fail(`${text} does not fit ${dt}`, at);
    (t.data as BigInt64Array | BigUint64Array)[i] = v;
    return;
  }
  const v = numberValue(text);
  if (dt === "f32" || dt === "f64") {
    (t.data as Float32Array)[i] = v;
    return;
  }
  const [lo, hi] = isPackedFloat(dt) ? [0, 2 ** (8 * byteSize(dt)) - 1] : intRange(dt as DType);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    const what = isPackedFloat(dt) ? `a ${dt} bit pattern` : `a ${dt} value`;
    c.fail(`expected ${what} (an integer in [${lo}, ${hi}]), found ${text}`, at);
  }
  (t.data as Int32Array)[i] = v;
}
