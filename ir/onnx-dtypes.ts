// ONNX TensorProto.DataType numbers <-> IR dtypes.
import type { DType } from "./dtype.js";

const ONNX_TO_IR: Readonly<Record<number, DType>> = {
  1: "f32", 2: "u8", 3: "i8", 4: "u16", 5: "i16", 6: "i32", 7: "i64", 8: "string", 9: "bool",
  10: "f16", 11: "f64", 12: "u32", 13: "u64", 16: "bf16",
  17: "f8e4m3fn", 18: "f8e4m3fnuz", 19: "f8e5m2", 20: "f8e5m2fnuz",
};

const ONNX_NAMES: Readonly<Record<number, string>> = {
  0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
  8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 14: "COMPLEX64",
  15: "COMPLEX128", 16: "BFLOAT16", 17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ", 19: "FLOAT8E5M2",
  20: "FLOAT8E5M2FNUZ", 21: "UINT4", 22: "INT4", 23: "FLOAT4E2M1",
};

export function onnxTypeName(code: number): string {
  return ONNX_NAMES[code] ?? `data type ${code}`;
}

/** The IR dtype of an ONNX data type number, or undefined when neonc cannot represent it. */
export function dtypeFromOnnx(code: number): DType | undefined {
  return ONNX_TO_IR[code];
}

export function dtypeToOnnx(dt: DType): number {
  for (const [k, v] of Object.entries(ONNX_TO_IR)) if (v === dt) return Number(k);
  throw new Error(`no ONNX data type for ${dt}`);
}
