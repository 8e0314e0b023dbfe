// Activation functions: Relu, LeakyRelu, PRelu, Elu, Selu, HardSigmoid, HardSwish, Gelu,
// Softplus, Mish and Swish (SiLU).
//
// Every one but PRelu (whose slope is a tensor) is a unary element-wise description
// (ir/unary.ts): reference function, derivative, C form (scalar and NEON from one expression),
// the inputs and attributes tests draw, and, for those that can be fused into the op before
// them, their fused form (ir/activation.ts). Adding an activation is adding one here.
import { dimEquals, shapeToString } from "../../dim.js";
import { defineOp, float, str } from "../../op.js";
import { fromNumbers } from "../../types.js";
import { gelu, geluGrad, geluTanh, geluTanhGrad, sigmoid, softplus } from "../../kernels/elementwise-math.js";
import { arith, FLOATS, inferBroadcast, need, SIGNED_INTS } from "./common.js";
import { unaryOp } from "./define-unary.js";

const SQRT_HALF = Math.SQRT1_2;
const GELU_K = Math.sqrt(2 / Math.PI);

export const Relu = unaryOp({
  name: "Relu",
  doc: "Elementwise max(x, 0).",
  attrs: {},
  dtypes: [...FLOATS, ...SIGNED_INTS],
  fn: {
    // NaN stays NaN (numpy.maximum(x, 0) semantics).
    f: (x) => (x < 0 ? 0 : x),
    df: (x) => (x > 0 ? 1 : 0),
    dfy: (y) => (y > 0 ? 1 : 0),
    c: (x, _a, m) => m.max(x, m.k(0)),
    big: (x) => (x < 0n ? 0n : x),
    fusion: { params: [], epilogue: () => ({ form: "relu" }) },
  },
});

export const LeakyRelu = unaryOp({
  name: "LeakyRelu",
  doc: "Elementwise x for x >= 0, alpha * x otherwise.",
  attrs: { alpha: float(0.01) },
  dtypes: FLOATS,
  fn: {
    f: (x, a) => (x < 0 ? a.alpha * x : x),
    df: (x, _y, a) => (x > 0 ? 1 : a.alpha),
    // With a negative slope the sign of y no longer tells which side x was on.
    dfy: (y, a) => (a.alpha < 0 ? undefined : y > 0 ? 1 : a.alpha),
    c: (x, a, m) => m.select(m.lt(x, m.k(0)), m.mul(x, m.k(a.alpha)), x),
    samples: [{ alpha: 0.01 }, { alpha: 0.1 }, { alpha: 0.2 }, { alpha: 1.5 }],
    fusion: { params: ["alpha"], epilogue: (a) => ({ form: "leaky", slope: a.alpha }) },
  },
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

export const Elu = unaryOp({
  name: "Elu",
  doc: "Elementwise x for x >= 0, alpha * (exp(x) - 1) otherwise.",
  attrs: { alpha: float(1.0) },
  dtypes: FLOATS,
  fn: {
    f: (x, a) => (x < 0 ? a.alpha * Math.expm1(x) : x),
    df: (x, y, a) => (x < 0 ? y + a.alpha : 1),
    c: (x, a, m) => m.select(m.lt(x, m.k(0)), m.mul(m.k(a.alpha), m.expm1Neg(x)), x),
    samples: [{}, { alpha: 0.7 }],
    fusion: { params: ["alpha"] },
  },
});

export const Selu = unaryOp({
  name: "Selu",
  doc: "Elementwise gamma * x for x > 0, gamma * alpha * (exp(x) - 1) otherwise.",
  // The defaults are the f32 values the ONNX spec gives.
  attrs: { alpha: float(1.67326319217681884765625), gamma: float(1.05070102214813232421875) },
  dtypes: FLOATS,
  fn: {
    f: (x, a) => (x <= 0 ? a.gamma * a.alpha * Math.expm1(x) : a.gamma * x),
    df: (x, y, a) => (x <= 0 ? y + a.gamma * a.alpha : a.gamma),
    c: (x, a, m) => m.select(m.le(x, m.k(0)), m.mul(m.k(a.gamma * a.alpha), m.expm1Neg(x)), m.mul(m.k(a.gamma), x)),
    fusion: { params: ["alpha", "gamma"] },
  },
});

export const HardSigmoid = unaryOp({
  name: "HardSigmoid",
  doc: "Elementwise max(0, min(1, alpha * x + beta)).",
  attrs: { alpha: float(0.2), beta: float(0.5) },
  dtypes: FLOATS,
  fn: {
    f: (x, a) => {
      const v = a.alpha * x + a.beta;
      return v < 0 ? 0 : v > 1 ? 1 : v;
    },
    df: (x, _y, a) => {
      const v = a.alpha * x + a.beta;
      return v > 0 && v < 1 ? a.alpha : 0;
    },
    c: (x, a, m) => m.min(m.max(m.fma(m.k(a.beta), m.k(a.alpha), x), m.k(0)), m.k(1)),
    samples: [{}, { alpha: 0.3, beta: 0.4 }],
    fusion: { params: ["alpha", "beta"] },
  },
});

export const HardSwish = unaryOp({
  name: "HardSwish",
  doc: "Elementwise x * max(0, min(1, x/6 + 1/2)).",
  attrs: {},
  dtypes: FLOATS,
  fn: {
    f: (x) => {
      const h = x / 6 + 0.5;
      return x * (h < 0 ? 0 : h > 1 ? 1 : h);
    },
    df: (x) => (x < -3 ? 0 : x > 3 ? 1 : x / 3 + 0.5),
    c: (x, _a, m) => m.mul(x, m.min(m.max(m.fma(m.k(0.5), x, m.k(1 / 6)), m.k(0)), m.k(1))),
    fusion: { params: [] },
  },
});

export const Gelu = unaryOp({
  name: "Gelu",
  doc: 'Elementwise GELU: x/2 * (1 + erf(x/sqrt(2))), or its tanh approximation with approximate="tanh".',
  attrs: { approximate: str("none") },
  dtypes: FLOATS,
  check: (a) => (a.approximate !== "none" && a.approximate !== "tanh" ? `approximate must be "none" or "tanh", got "${a.approximate}"` : undefined),
  fn: {
    f: (x, a) => (a.approximate === "tanh" ? geluTanh(x) : gelu(x)),
    df: (x, _y, a) => (a.approximate === "tanh" ? geluTanhGrad(x) : geluGrad(x)),
    c: (x, a, m) => {
      if (a.approximate === "tanh") {
        const inner = m.mul(m.k(GELU_K), m.fma(x, m.mul(m.k(0.044715), x), m.mul(x, x)));
        return m.mul(m.mul(m.k(0.5), x), m.add(m.k(1), m.tanh(inner)));
      }
      // erfc keeps the relative accuracy of the exact form for large negative inputs.
      return m.mul(m.mul(m.k(0.5), x), m.erfc(m.mul(x, m.k(-SQRT_HALF))));
    },
    samples: [{}, { approximate: "tanh" }],
    fusion: { params: [] },
  },
});

export const Softplus = unaryOp({
  name: "Softplus",
  doc: "Elementwise log(1 + exp(x)).",
  attrs: {},
  dtypes: FLOATS,
  fn: {
    f: softplus,
    df: (x) => sigmoid(x),
    // sigmoid(x) = 1 - e^-softplus(x).
    dfy: (y) => -Math.expm1(-y),
    // max(x, 0) + log1p(e^-|x|): no overflow, and e^-|x| is in (0, 1] where log1p is accurate.
    c: (x, _a, m) => m.add(m.max(x, m.k(0)), m.call("log1p", m.exp(m.neg(m.abs(x))))),
    fusion: { params: [] },
  },
});

export const Mish = unaryOp({
  name: "Mish",
  doc: "Elementwise x * tanh(softplus(x)) (ONNX opset 18).",
  attrs: {},
  dtypes: FLOATS,
  fn: {
    f: (x) => x * Math.tanh(softplus(x)),
    df: (x) => {
      const t = Math.tanh(softplus(x));
      return t + x * sigmoid(x) * (1 - t * t);
    },
    // tanh(log(1 + e)) = n / (n + 2) with n = e (e + 2), e = e^x: one exp and one division. From
    // x = 20 on n / (n + 2) is 1 in float, so e^x is taken at min(x, 20) and never overflows.
    c: (x, _a, m) => {
      const e = m.let(m.exp(m.min(x, m.k(20))));
      const n = m.let(m.mul(e, m.add(e, m.k(2))));
      return m.mul(x, m.div(n, m.add(n, m.k(2))));
    },
    fusion: { params: [] },
  },
});

export const Swish = unaryOp({
  name: "Swish",
  doc: "Elementwise x * sigmoid(alpha * x); SiLU with alpha = 1 (PyTorch exports it as Mul(x, Sigmoid(x)); ONNX opset 24).",
  attrs: { alpha: float(1.0) },
  dtypes: FLOATS,
  fn: {
    f: (x, a) => x * sigmoid(a.alpha * x),
    df: (x, _y, a) => {
      const s = sigmoid(a.alpha * x);
      return s + a.alpha * x * s * (1 - s);
    },
    c: (x, a, m) => m.mul(x, m.sigmoid(a.alpha === 1 ? x : m.mul(m.k(a.alpha), x))),
    // ONNX float attributes are float32, and so is the C's constant: 1.702 as a double would put
    // the interpreter (double alpha) up to 4 ulp apart from the C where alpha * x is large.
    samples: [{}, { alpha: Math.fround(1.702) }],
    fusion: { params: ["alpha"] },
  },
  // ONNX has Swish from opset 24; before, it is what PyTorch writes: x * Sigmoid(alpha * x).
  toOnnx: (node, a, ctx) => {
    const [x] = node.inputs as [string];
    const y = node.outputs[0]!;
    if (ctx.opset >= 24) return [{ opType: "Swish", name: node.name, inputs: [x], outputs: [y], attrs: { alpha: a.alpha }, floatAttrs: ["alpha"] }];
    const nodes = [];
    let arg = x;
    if (a.alpha !== 1) {
      const alpha = ctx.constant(fromNumbers(ctx.type(x).dtype, [], [a.alpha]), `${node.name}.alpha`);
      arg = ctx.fresh(`${y}.ax`);
      nodes.push({ opType: "Mul", name: `${node.name}.scale`, inputs: [x, alpha], outputs: [arg], attrs: {} });
    }
    const s = ctx.fresh(`${y}.sigmoid`);
    nodes.push({ opType: "Sigmoid", name: `${node.name}.sigmoid`, inputs: [arg], outputs: [s], attrs: {} });
    nodes.push({ opType: "Mul", name: node.name, inputs: [x, s], outputs: [y], attrs: {} });
    return nodes;
  },
});

export const activationOps = [Relu, LeakyRelu, PRelu, Elu, Selu, HardSigmoid, HardSwish, Gelu, Softplus, Mish, Swish];
