// Runs an ONNX model in onnxruntime-node (single-threaded), the second reference in tests.
import * as ort from "onnxruntime-node";
import type { Tensor } from "../../ir/types.js";

/** Runs model bytes on float32 inputs and returns the float32 outputs by name. */
export async function runOrt(bytes: Uint8Array, inputs: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(inputs)) feeds[k] = new ort.Tensor("float32", t.data as Float32Array, [...t.shape]);
  const out = await session.run(feeds);
  const result: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) result[k] = v.data as Float32Array;
  await session.release();
  return result;
}
