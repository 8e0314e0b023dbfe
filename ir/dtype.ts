// Element types of IR tensors: names, sizes, storage arrays and value ranges.
//
// Storage: every dtype is held in a typed array. f16, bf16 and the float8 formats keep their raw
// bit patterns (Uint16Array / Uint8Array) because JavaScript has no native array for them;
// kernels convert through ir/float-formats.ts. 64-bit integers use BigInt64Array/BigUint64Array so
// values survive the round trip to ONNX exactly. Strings (only for Cast from STRING) are string[].

export const DTYPES = [
  "f32", "f64", "f16", "bf16",
  "f8e4m3fn", "f8e4m3fnuz", "f8e5m2", "f8e5m2fnuz",
  "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64",
  "bool", "string",
] as const;
export type DType = (typeof DTYPES)[number];

export type NumericArray =
  | Float32Array | Float64Array
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type BigArray = BigInt64Array | BigUint64Array;
export type TensorData = NumericArray | BigArray | string[];

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}

/** Bytes per element as stored on disk and in generated C (0 for string). */
export function byteSize(dt: DType): number {
  switch (dt) {
    case "f64": case "i64": case "u64": return 8;
    case "f32": case "i32": case "u32": return 4;
    case "f16": case "bf16": case "i16": case "u16": return 2;
    case "string": return 0;
    default: return 1;
  }
}

export function isFloat(dt: DType): boolean {
  return dt === "f32" || dt === "f64" || dt === "f16" || dt === "bf16" || dt.startsWith("f8");
}
export function isInteger(dt: DType): boolean {
  return /^[iu]\d+$/.test(dt);
}
export function isBig(dt: DType): boolean {
  return dt === "i64" || dt === "u64";
}
/** Float formats stored as raw bits that kernels must convert (f16, bf16, float8). */
export function isPackedFloat(dt: DType): boolean {
  return dt === "f16" || dt === "bf16" || dt.startsWith("f8");
}

/** Inclusive value range of an integer dtype (as numbers; i64/u64 limits are approximate). */
export function intRange(dt: DType): [number, number] {
  switch (dt) {
    case "i8": return [-128, 127];
    case "u8": return [0, 255];
    case "i16": return [-32768, 32767];
    case "u16": return [0, 65535];
    case "i32": return [-2147483648, 2147483647];
    case "u32": return [0, 4294967295];
    case "i64": return [-9223372036854775808, 9223372036854775807];
    case "u64": return [0, 18446744073709551615];
    case "bool": return [0, 1];
    default: throw new Error(`intRange: ${dt} is not an integer type`);
  }
}

/** Allocates zeroed storage for n elements of dt. */
export function allocData(dt: DType, n: number): TensorData {
  switch (dt) {
    case "f32": return new Float32Array(n);
    case "f64": return new Float64Array(n);
    case "f16": case "bf16": case "u16": return new Uint16Array(n);
    case "i8": return new Int8Array(n);
    case "u8": case "bool": case "f8e4m3fn": case "f8e4m3fnuz": case "f8e5m2": case "f8e5m2fnuz": return new Uint8Array(n);
    case "i16": return new Int16Array(n);
    case "i32": return new Int32Array(n);
    case "u32": return new Uint32Array(n);
    case "i64": return new BigInt64Array(n);
    case "u64": return new BigUint64Array(n);
    case "string": return new Array<string>(n).fill("");
  }
}
