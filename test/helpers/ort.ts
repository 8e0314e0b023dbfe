// Runs an ONNX model in onnxruntime-node (single-threaded), the second reference in tests.
import * as ort from "onnxruntime-node";
import type { Tensor } from "../../ir/types.js";

/** onnxruntime's name of each IR dtype the tests feed. */
const ORT_TYPES: Readonly<Record<string, ort.Tensor.Type>> = { f32: "float32", i64: "int64", i32: "int32", bool: "bool", u8: "uint8", i8: "int8" };

/** Runs model bytes on float32 (or int64, int32, bool, 8-bit) inputs and returns the float32 outputs by name. */
export async function runOrt(bytes: Uint8Array, inputs: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(inputs)) {
    const type = ORT_TYPES[t.dtype];
    if (!type) throw new Error(`runOrt: no onnxruntime type for ${t.dtype} input ${k}`);
    feeds[k] = new ort.Tensor(type, t.data as Float32Array, [...t.shape]);
  }
  const out = await session.run(feeds);
  const result: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) result[k] = v.data as Float32Array;
  await session.release();
  return result;
}
