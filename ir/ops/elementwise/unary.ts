// Unary math ops: Sqrt, Exp, Log, Neg, Abs, Reciprocal, Floor, Ceil, Tanh, Erf, Sigmoid, Softplus.
import type { DType } from "../../dtype.js";
import { defineOp } from "../../op.js";
import type { UnaryOp } from "../../kernels/elementwise-unary.js";
import { FLOATS, inferUnary, NUMERIC, SIGNED_INTS, unary } from "./common.js";

function unaryOp(name: UnaryOp, doc: string, allowed: readonly DType[]) {
  return defineOp({
    name,
    doc,
    attrs: {},
    inputs: ["X"],
    outputs: ["Y"],
    dtypes: allowed,
    infer: (inputs) => inferUnary(name, inputs, allowed),
    evaluate: (inputs) => {
      if (!inputs[0]) throw new Error(`${name}: input X is missing`);
      return [unary(name, inputs[0])];
    },
  });
}

export const Sqrt = unaryOp("Sqrt", "Elementwise square root (NaN for negative inputs).", FLOATS);
export const Exp = unaryOp("Exp", "Elementwise natural exponential.", FLOATS);
export const Log = unaryOp("Log", "Elementwise natural logarithm.", FLOATS);
export const Neg = unaryOp("Neg", "Elementwise negation (integers wrap: -(-128) is -128 in i8).", [...FLOATS, ...SIGNED_INTS]);
export const Abs = unaryOp("Abs", "Elementwise absolute value.", NUMERIC);
export const Reciprocal = unaryOp("Reciprocal", "Elementwise 1/x.", FLOATS);
export const Floor = unaryOp("Floor", "Elementwise floor.", FLOATS);
export const Ceil = unaryOp("Ceil", "Elementwise ceiling.", FLOATS);
export const Tanh = unaryOp("Tanh", "Elementwise hyperbolic tangent.", FLOATS);
export const Erf = unaryOp("Erf", "Elementwise error function (double-precision evaluation).", FLOATS);
export const Sigmoid = unaryOp("Sigmoid", "Elementwise logistic function 1/(1+exp(-x)).", FLOATS);
export const Softplus = unaryOp("Softplus", "Elementwise log(1 + exp(x)).", FLOATS);

export const unaryOps = [Sqrt, Exp, Log, Neg, Abs, Reciprocal, Floor, Ceil, Tanh, Erf, Sigmoid, Softplus];
