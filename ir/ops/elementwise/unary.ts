// Unary math ops: Sqrt, Exp, Log, Neg, Abs, Reciprocal, Floor, Ceil, Round, Tanh, Erf, Sigmoid.
//
// Each is one description (ir/unary.ts): the reference function, its derivative, its C form and
// the inputs tests draw from. The activations (Relu, Sigmoid-like gates, Softplus, Mish...) are
// in activation.ts.
import { erf, sigmoid } from "../../kernels/elementwise-math.js";
import { roundHalfEven } from "../../kernels/onnx-quant-round.js";
import type { DType } from "../../dtype.js";
import type { UnaryFn } from "../../unary.js";
import { unaryOp } from "./define-unary.js";
import { FLOATS, NUMERIC, SIGNED_INTS } from "./common.js";

const TWO_OVER_SQRT_PI = 1.1283791670955126;

function mathOp(name: string, doc: string, dtypes: readonly DType[], fn: UnaryFn<{}>) {
  return unaryOp({ name, doc, attrs: {}, dtypes, fn });
}

export const Sqrt = mathOp("Sqrt", "Elementwise square root (NaN for negative inputs).", FLOATS, {
  f: Math.sqrt,
  df: (_x, y) => 0.5 / y,
  dfy: (y) => 0.5 / y,
  c: (x, _a, m) => m.sqrt(x),
  domain: [1 / 64, 64],
});

export const Exp = mathOp("Exp", "Elementwise natural exponential.", FLOATS, {
  f: Math.exp,
  df: (_x, y) => y,
  dfy: (y) => y,
  c: (x, _a, m) => m.exp(x),
  // Wide enough to be interesting, narrow enough that chains of them stay finite.
  domain: [-8, 8],
});

export const Log = mathOp("Log", "Elementwise natural logarithm.", FLOATS, {
  f: Math.log,
  df: (x) => 1 / x,
  c: (x, _a, m) => m.log(x),
  domain: [1 / 64, 64],
});

export const Neg = mathOp("Neg", "Elementwise negation (integers wrap: -(-128) is -128 in i8).", [...FLOATS, ...SIGNED_INTS], {
  f: (x) => -x,
  df: () => -1,
  c: (x, _a, m) => m.neg(x),
  big: (x) => -x,
});

export const Abs = mathOp("Abs", "Elementwise absolute value.", NUMERIC, {
  f: Math.abs,
  df: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  c: (x, _a, m) => m.abs(x),
  big: (x) => (x < 0n ? -x : x),
});

export const Reciprocal = mathOp("Reciprocal", "Elementwise 1/x.", FLOATS, {
  f: (x) => 1 / x,
  df: (_x, y) => -y * y,
  dfy: (y) => -y * y,
  c: (x, _a, m) => m.div(m.k(1), x),
  domain: [1 / 8, 8],
});

export const Floor = mathOp("Floor", "Elementwise floor.", FLOATS, {
  f: Math.floor,
  df: () => 0,
  c: (x, _a, m) => m.floor(x),
  steps: true,
});

export const Ceil = mathOp("Ceil", "Elementwise ceiling.", FLOATS, {
  f: Math.ceil,
  df: () => 0,
  c: (x, _a, m) => m.ceil(x),
  steps: true,
});

export const Round = mathOp("Round", "Elementwise rounding to the nearest integer, halves to even.", FLOATS, {
  f: roundHalfEven,
  df: () => 0,
  c: (x, _a, m) => m.roundEven(x),
  steps: true,
});

export const Tanh = mathOp("Tanh", "Elementwise hyperbolic tangent.", FLOATS, {
  f: Math.tanh,
  df: (_x, y) => 1 - y * y,
  dfy: (y) => 1 - y * y,
  c: (x, _a, m) => m.tanh(x),
  fusion: { params: [] },
});

export const Erf = mathOp("Erf", "Elementwise error function (double-precision evaluation).", FLOATS, {
  f: erf,
  df: (x) => TWO_OVER_SQRT_PI * Math.exp(-x * x),
  c: (x, _a, m) => m.erf(x),
});

export const Sigmoid = mathOp("Sigmoid", "Elementwise logistic function 1/(1+exp(-x)).", FLOATS, {
  f: sigmoid,
  df: (_x, y) => y * (1 - y),
  dfy: (y) => y * (1 - y),
  c: (x, _a, m) => m.sigmoid(x),
  fusion: { params: [] },
});

export const unaryOps = [Sqrt, Exp, Log, Neg, Abs, Reciprocal, Floor, Ceil, Round, Tanh, Erf, Sigmoid];
