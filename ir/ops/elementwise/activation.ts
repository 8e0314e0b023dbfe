// Activation functions: Relu, LeakyRelu, PRelu, Elu, Selu, HardSigmoid, HardSwish, Gelu.
import { dimEquals, shapeToString } from "../../dim.js";
import { defineOp, float, str } from "../../op.js";
import type { Tensor } from "../../types.js";
import { arith, FLOATS, inferBroadcast, inferUnary, need, SIGNED_INTS, unary } from "./common.js";

const RELU_TYPES = [...FLOATS, ...SIGNED_INTS];

function x0(name: string, inputs: readonly (Tensor | undefined)[]): Tensor {
  const x = inputs[0];
  if (!x) throw new Error(`${name}: input X is missing`);
  return x;
}

export const Relu = defineOp({
  name: "Relu",
  doc: "Elementwise max(x, 0).",
  attrs: {},
  inputs: ["X"],
  outputs: ["Y"],
  dtypes: RELU_TYPES,
  infer: (inputs) => inferUnary("Relu", inputs, RELU_TYPES),
  evaluate: (inputs) => [unary("Relu", x0("Relu", inputs))],
});

export const LeakyRelu = defineOp({
  name: "LeakyRelu",
  doc: "Elementwise x for x >= 0, alpha * x otherwise.",
  attrs: { alpha: float(0.01) },
  inputs: ["X"],
  outputs: ["Y"],
  dtypes: FLOATS,
  infer: (inputs) => inferUnary("LeakyRelu", inputs, FLOATS),
  evaluate: (inputs, a) => [unary("LeakyRelu", x0("LeakyRelu", inputs), a.alpha)],
});

export const PRelu = defineOp({
  name: "PRelu",
  doc: "Elementwise x for x >= 0, slope * x otherwise; slope broadcasts to X.",
  attrs: {},
  inputs: ["X", "slope"],
  outputs: ["Y"],
  dtypes: [...FLOATS, ...SIGNED_INTS, "u32", "u64"],
  infer: (inputs) => {
    const out = inferBroadcast("PRelu", inputs, ["X", "slope"], [...FLOATS, ...SIGNED_INTS, "u32", "u64"]);
    const x = inputs[0]!;
    // ONNX broadcasts slope to X only one way: the result keeps X's shape.
    if (out[0]!.shape.length !== x.shape.length || !out[0]!.shape.every((d, i) => dimEquals(d, x.shape[i]!))) {
      throw new Error(`PRelu: slope of shape ${shapeToString(inputs[1]!.shape)} does not broadcast to X's shape ${shapeToString(x.shape)}`);
    }
    return out;
  },
  evaluate: (inputs) => {
    const [x, slope] = need("PRelu", inputs, 2);
    return [arith("PRelu", x!, slope!)];
  },
});

export const Elu = defineOp({
  name: "Elu",
  doc: "Elementwise x for x >= 0, alpha * (exp(x) - 1) otherwise.",
  attrs: { alpha: float(1.0) },
  inputs: ["X"],
  outputs: ["Y"],
  dtypes: FLOATS,
  infer: (inputs) => inferUnary("Elu", inputs, FLOATS),
  evaluate: (inputs, a) => [unary("Elu", x0("Elu", inputs), a.alpha)],
});

export const Selu = defineOp({
  name: "Selu",
  doc: "Elementwise gamma * x for x > 0, gamma * alpha * (exp(x) - 1) otherwise.",
  // The defaults are the f32 values the ONNX spec gives.
  attrs: { alpha: float(1.67326319217681884765625), gamma: float(1.05070102214813232421875) },
  inputs: ["X"],
  outputs: ["Y"],
  dtypes: FLOATS,
  infer: (inputs) => inferUnary("Selu", inputs, FLOATS),
  evaluate: (inputs, a) => [unary("Selu", x0("Selu", inputs), a.alpha, 0, a.gamma)],
});

export const HardSigmoid = defineOp({
  name: "HardSigmoid",
  doc: "Elementwise max(0, min(1, alpha * x + beta)).",
  attrs: { alpha: float(0.2), beta: float(0.5) },
  inputs: ["X"],
  outputs: ["Y"],
  dtypes: FLOATS,
  infer: (inputs) => inferUnary("HardSigmoid", inputs, FLOATS),
  evaluate: (inputs, a) => [unary("HardSigmoid", x0("HardSigmoid", inputs), a.alpha, a.beta)],
});

export const HardSwish = defineOp({
  name: "HardSwish",
  doc: "Elementwise x * max(0, min(1, x/6 + 1/2)).",
  attrs: {},
  inputs: ["X"],
  outputs: ["Y"],
  dtypes: FLOATS,
  infer: (inputs) => inferUnary("HardSwish", inputs, FLOATS),
  evaluate: (inputs) => [unary("HardSwish", x0("HardSwish", inputs))],
});

export const Gelu = defineOp({
  name: "Gelu",
  doc: 'Elementwise GELU: x/2 * (1 + erf(x/sqrt(2))), or its tanh approximation with approximate="tanh".',
  attrs: { approximate: str("none") },
  inputs: ["X"],
  outputs: ["Y"],
  dtypes: FLOATS,
  infer: (inputs, a) => {
    if (a.approximate !== "none" && a.approximate !== "tanh") {
      throw new Error(`Gelu: approximate must be "none" or "tanh", got "${a.approximate}"`);
    }
    return inferUnary("Gelu", inputs, FLOATS);
  },
  evaluate: (inputs, a) => [unary(a.approximate === "tanh" ? "GeluTanh" : "Gelu", x0("Gelu", inputs))],
});

export const activationOps = [Relu, LeakyRelu, PRelu, Elu, Selu, HardSigmoid, HardSwish, Gelu];
