// Two small models with a run-time If, built in memory with onnx-builder:
// - vadFrontEnds: a VAD-style graph whose sample-rate input picks one of two front ends
//   (16 kHz: one Conv of stride 4; 8 kHz: a Conv of stride 2 and a max pool), both giving the
//   same features, which a shared head turns into per-frame speech probabilities.
// - verifierHead: a wake-word-style head whose verifier branch (two MatMuls) runs only when the
//   first score is above a threshold; otherwise the score is halved. The then branch reads an
//   outer initializer and has one of its own; the else branch reads an outer initializer.
// Inputs that take each branch come with them (vadInputs, verifierInputs).
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { buildModel } from "./onnx-builder.js";

const rand = (rng: Rng, shape: number[], scale = 0.5): Tensor => seededTensor(rng, "f32", shape, { values: { min: -scale, max: scale } });

export const VAD_SAMPLES = 256;

export function vadFrontEnds(): Uint8Array {
  const rng = new Rng(1010);
  return buildModel({
    opset: 17,
    inputs: [{ name: "audio", shape: [1, 1, VAD_SAMPLES] }, { name: "sr", dtype: "i64", shape: [1] }],
    outputs: [{ name: "prob", shape: [1, 1, VAD_SAMPLES / 4] }],
    initializers: {
      sr16k: fromNumbers("i64", [1], [16000]),
      w16: rand(rng, [8, 1, 4]), b16: rand(rng, [8]),
      w8: rand(rng, [8, 1, 2]), b8: rand(rng, [8]),
      wout: rand(rng, [1, 8, 1]), bout: rand(rng, [1]),
    },
    nodes: [
      { op: "Equal", inputs: ["sr", "sr16k"], outputs: ["is16k"], name: "is_16k" },
      {
        op: "If", inputs: ["is16k"], outputs: ["feat"], name: "front_end",
        graphs: {
          then_branch: {
            outputs: [{ name: "feat16", shape: [1, 8, VAD_SAMPLES / 4] }],
            nodes: [
              { op: "Conv", inputs: ["audio", "w16", "b16"], outputs: ["c16"], attrs: { kernel_shape: [4], strides: [4] }, name: "conv16" },
              { op: "Relu", inputs: ["c16"], outputs: ["feat16"], name: "relu16" },
            ],
          },
          else_branch: {
            outputs: [{ name: "feat8", shape: [1, 8, VAD_SAMPLES / 4] }],
            nodes: [
              { op: "Conv", inputs: ["audio", "w8", "b8"], outputs: ["c8"], attrs: { kernel_shape: [2], strides: [2] }, name: "conv8" },
              { op: "MaxPool", inputs: ["c8"], outputs: ["p8"], attrs: { kernel_shape: [2], strides: [2] }, name: "pool8" },
              { op: "Relu", inputs: ["p8"], outputs: ["feat8"], name: "relu8" },
            ],
          },
        },
      },
      { op: "Conv", inputs: ["feat", "wout", "bout"], outputs: ["logits"], attrs: { kernel_shape: [1] }, name: "head" },
      { op: "Sigmoid", inputs: ["logits"], outputs: ["prob"], name: "prob" },
    ],
  });
}

/** Inputs at 16 kHz (then branch) and at 8 kHz (else branch). */
export function vadInputs(): { at16k: Record<string, Tensor>; at8k: Record<string, Tensor> } {
  const rng = new Rng(2020);
  const audio = rand(rng, [1, 1, VAD_SAMPLES], 1);
  return {
    at16k: { audio, sr: fromNumbers("i64", [1], [16000]) },
    at8k: { audio, sr: fromNumbers("i64", [1], [8000]) },
  };
}

const FEATURES = 16;

export function verifierHead(): Uint8Array {
  const rng = new Rng(3030);
  return buildModel({
    opset: 17,
    inputs: [{ name: "x", shape: [1, FEATURES] }],
    outputs: [{ name: "score", shape: [1, 1] }, { name: "verified", shape: [1, 1] }],
    initializers: {
      w1: verifierDirection(), th: fromNumbers("f32", [1], [0.5]), half: fromNumbers("f32", [1], [0.5]),
      w2: rand(rng, [FEATURES, 8]),
    },
    nodes: [
      { op: "MatMul", inputs: ["x", "w1"], outputs: ["s0"], name: "score_mm" },
      { op: "Sigmoid", inputs: ["s0"], outputs: ["score"], name: "score" },
      { op: "Greater", inputs: ["score", "th"], outputs: ["above"], name: "above" },
      {
        op: "If", inputs: ["above"], outputs: ["verified"], name: "verify",
        graphs: {
          then_branch: {
            initializers: { w3: rand(rng, [8, 1]) },
            outputs: [{ name: "v_out", shape: [1, 1] }],
            nodes: [
              { op: "MatMul", inputs: ["x", "w2"], outputs: ["h0"], name: "v_mm1" },
              { op: "Tanh", inputs: ["h0"], outputs: ["h"], name: "v_tanh" },
              { op: "MatMul", inputs: ["h", "w3"], outputs: ["v0"], name: "v_mm2" },
              { op: "Sigmoid", inputs: ["v0"], outputs: ["v"], name: "v_sig" },
              { op: "Mul", inputs: ["score", "v"], outputs: ["v_out"], name: "v_mul" },
            ],
          },
          else_branch: {
            outputs: [{ name: "halved", shape: [1, 1] }],
            nodes: [{ op: "Mul", inputs: ["score", "half"], outputs: ["halved"], name: "halve" }],
          },
        },
      },
    ],
  });
}

function verifierDirection(): Tensor {
  return fromNumbers("f32", [FEATURES, 1], Array.from({ length: FEATURES }, (_, i) => (i % 2 === 0 ? 0.25 : -0.25)));
}

/** An input scoring above the threshold (then branch) and one below (else branch). */
export function verifierInputs(): { above: Record<string, Tensor>; below: Record<string, Tensor> } {
  const rng = new Rng(4040);
  const noise = rand(rng, [1, FEATURES], 0.1);
  const w = verifierDirection();
  const along = (sign: number) => fromNumbers("f32", [1, FEATURES], Array.from({ length: FEATURES }, (_, i) => sign * 4 * Number(w.data[i]) + Number(noise.data[i])));
  return { above: { x: along(1) }, below: { x: along(-1) } };
}
