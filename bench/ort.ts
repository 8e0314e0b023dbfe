// ONNX Runtime as the benchmark's yardstick: one session per model, single-threaded (one intra-op
// and one inter-op thread, like one core of an edge CPU) with every graph optimization on, and
// conversion between neonc tensors and ORT tensors in both directions.
import * as ort from "onnxruntime-node";
import type { DType, TensorData, Tensor } from "neonc";

const TO_ORT: Partial<Record<DType, ort.Tensor.Type>> = {
  f32: "float32", f64: "float64", f16: "float16",
  i8: "int8", u8: "uint8", i16: "int16", u16: "uint16", i32: "int32", u32: "uint32", i64: "int64", u64: "uint64",
  bool: "bool", string: "string",
};
const FROM_ORT: Readonly<Record<string, DType>> = Object.fromEntries(Object.entries(TO_ORT).map(([k, v]) => [v, k as DType]));

export function ortVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common ?? "unknown";
}

export async function createOrtSession(modelFile: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelFile, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
  });
}

function toOrt(t: Tensor): ort.Tensor {
  const type = TO_ORT[t.dtype];
  if (!type) throw new Error(`ONNX Runtime has no tensor type for ${t.dtype}`);
  return new ort.Tensor(type, t.data as ort.Tensor.DataType, [...t.shape]);
}

function fromOrt(t: ort.Tensor): Tensor {
  const dtype = FROM_ORT[t.type];
  if (!dtype) throw new Error(`ONNX Runtime returned a ${t.type} tensor, which neonc does not represent`);
  return { dtype, shape: t.dims.map(Number), data: t.data as TensorData };
}

/** Runs the session on named inputs and returns every output by name. */
export async function runOrt(session: ort.InferenceSession, inputs: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = toOrt(t);
  const results = await session.run(feeds);
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(results)) out[name] = fromOrt(t);
  return out;
}
