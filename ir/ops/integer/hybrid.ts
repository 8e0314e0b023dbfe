// Hybrid recurrent layers: HybridLSTM, HybridGRU and HybridRNN keep the weights W and R as int8
// (symmetric, one scale per gate row: attributes w_scales and r_scales) and compute in float, as
// on-device RNN-T systems do. The weights are dequantized on every run (never folded back into
// float constants by constant folding, since they are this op's inputs), so the model stores a
// quarter of the bytes while the recurrence keeps float activations; the numbers are exactly those
// of the float op on the dequantized weights.
import { floats } from "../../op.js";
import type { OpDef } from "../../op.js";
import { makeTensor, tensorType, type Tensor, type TensorType } from "../../types.js";
import { GRU } from "../recurrent/gru.js";
import { LSTM } from "../recurrent/lstm.js";
import { RNN } from "../recurrent/rnn.js";
import { hybridToOnnx } from "./to-onnx.js";

/** Rows of a [num_directions, rows, cols] weight: one scale each. */
function dequantizeRows(q: Tensor, scales: readonly number[], name: string): Tensor {
  const [nd, rows, cols] = q.shape as [number, number, number];
  if (scales.length !== nd * rows) throw new Error(`${name} has ${nd * rows} rows but ${scales.length} scales`);
  const out = makeTensor("f32", q.shape);
  const od = out.data as Float32Array, qd = q.data as Int8Array;
  for (let r = 0; r < nd * rows; r++) {
    const s = scales[r]!;
    for (let c = 0; c < cols; c++) od[r * cols + c] = qd[r * cols + c]! * s;
  }
  return out;
}

function floatType(t: TensorType | undefined, name: string): TensorType {
  if (!t) throw new Error(`input ${name} is missing`);
  if (t.dtype !== "i8") throw new Error(`${name} must be i8 (the quantized weights), got ${t.dtype}`);
  return tensorType("f32", t.shape);
}

function hybridOf(def: OpDef<any>): OpDef<any> {
  return {
    name: `Hybrid${def.name}`,
    doc: `${def.name} with int8 weights W and R (one scale per row) and float activations: the hybrid mode.`,
    attrs: { ...def.attrs, w_scales: floats([]), r_scales: floats([]) },
    inputs: def.inputs,
    outputs: def.outputs,
    onnxOps: [],
    infer(inputs, a, ctx) {
      return def.infer([inputs[0], floatType(inputs[1], "W"), floatType(inputs[2], "R"), ...inputs.slice(3)], a, ctx);
    },
    evaluate(inputs, a, ctx) {
      const w = dequantizeRows(inputs[1]!, a.w_scales as readonly number[], "W");
      const r = dequantizeRows(inputs[2]!, a.r_scales as readonly number[], "R");
      return def.evaluate([inputs[0], w, r, ...inputs.slice(3)], a, ctx);
    },
    macs: def.macs,
    toOnnx: hybridToOnnx(def.name, Object.entries(def.attrs as Record<string, { kind: string }>).filter(([, s]) => s.kind === "float" || s.kind === "floats").map(([k]) => k)),
  };
}

export const HybridLSTM = hybridOf(LSTM);
export const HybridGRU = hybridOf(GRU);
export const HybridRNN = hybridOf(RNN);
