// Access to the ONNX protobuf schema (onnx-proto: ONNX 1.10, IR version 8, static protobufjs code).
//
// Fields newer than that schema are skipped by the decoder; data types newer than it (float8,
// 4-bit) are plain enum numbers mapped in ./dtypes.ts.
import onnxProto from "onnx-proto";

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** protobufjs decodes int64 fields as Long objects (or numbers); this turns either into a number. */
export function toNum(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  const l = v as { toNumber?: () => number };
  if (typeof l.toNumber === "function") return l.toNumber();
  return Number(v);
}

/** The same as a bigint, exact for the whole int64 range. */
export function toBig(v: unknown, unsigned = false): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(v);
  const l = v as { low: number; high: number; unsigned?: boolean };
  const big = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return unsigned ? BigInt.asUintN(64, big) : BigInt.asIntN(64, big);
}
