// canonicalize: the clean-up every other pass relies on. Dead code, no-op nodes (Identity,
// inference Dropout), algebraic identities (x*1, x+0, ..., x^2 as x*x), layout round trips (double
// transpose, reshape of reshape, squeeze/unsqueeze pairs), what exporters decompose written as
// the op again (x * Sigmoid(x) as Swish, LayerNorm, the erf and tanh GELUs, HardSwish), constant
// folding through the ops' own kernels, shape-computation folding, and If: a known condition
// inlines the branch it takes, captured values are trimmed (passes/canonicalize/if.ts). Einsum
// becomes Transpose/ReduceSum/MatMul (passes/canonicalize/einsum.ts).
import { definePass } from "../pass.js";
import { intOption } from "../options.js";
import { typesEqual } from "../../ir/types.js";
import { algebraic, $, splat, type AlgebraicRule } from "../algebra.js";
import { deadCodeRule } from "./dce.js";
import { foldConstantsRule } from "./fold-constants.js";
import { foldShapesRule } from "./fold-shapes.js";
import { clampRule } from "./clamp.js";
import { removeIdentity, removeInferenceDropout, removeSameTypeCast } from "./remove-noops.js";
import { swishRule } from "./swish.js";
import { geluRule } from "./gelu.js";
import { hardSwishRule } from "./hardswish.js";
import { layerNormAffineRule, layerNormRule } from "./layernorm.js";
import { isComputeFloat } from "../float-constants.js";
import { transposeRules, viewRules } from "./views.js";
import { ifRules } from "./if.js";
import { einsumRule } from "./einsum.js";

/** Identities that hold bit for bit (x + 0 maps -0 to +0, which every consumer treats alike). */
export const identityTable: readonly AlgebraicRule[] = [
  { name: "x*1", op: "Mul", args: [$("x"), splat(1)], commutative: true, result: "x" },
  { name: "x+0", op: "Add", args: [$("x"), splat(0)], commutative: true, result: "x" },
  { name: "x-0", op: "Sub", args: [$("x"), splat(0)], result: "x" },
  { name: "x/1", op: "Div", args: [$("x"), splat(1)], result: "x" },
  { name: "x^1", op: "Pow", args: [$("x"), splat(1)], result: "x" },
  // PyTorch exports x**2 as Pow (LayerNorm below opset 17, variances); as Mul it gets the C and
  // int8 kernels of Mul. Exact for f32: the product of two f32 values is exact in the double both
  // compute in (Math.pow special-cases y = 2 as x*x), and both round it to f32 once.
  {
    name: "x^2", op: "Pow", args: [$("x"), splat(2)],
    when: (m, g) => (g.type(m.x!).dtype === "f32" && typesEqual(g.type(m.x!), g.type(m.node.outputs[0]!)) ? true : "only an f32 x^2 of x's shape becomes x*x"),
    result: (m, b) => b.op1("Mul", [m.x!, m.x!]),
  },
  // Not bit for bit: Math.pow(x, 0.5) and sqrt differ only at -0 (+0 against -0) and -Infinity
  // (+Infinity against NaN), and powf and sqrtf in C by at most an ulp elsewhere. Exporters write
  // square roots (the LayerNorm denominator, RMS norms) this way.
  {
    name: "x^0.5", op: "Pow", args: [$("x"), splat(0.5)],
    when: (m, g) => (isComputeFloat(g.type(m.x!).dtype) && typesEqual(g.type(m.x!), g.type(m.node.outputs[0]!)) ? true : "only a float x^0.5 of x's shape becomes Sqrt(x)"),
    result: (m, b) => b.op1("Sqrt", [m.x!]),
  },
  // x^-1 is 1/x, correctly rounded both ways.
  {
    name: "x^-1", op: "Pow", args: [$("x"), splat(-1)],
    when: (m, g) => (isComputeFloat(g.type(m.x!).dtype) && typesEqual(g.type(m.x!), g.type(m.node.outputs[0]!)) ? true : "only a float x^-1 of x's shape becomes Reciprocal(x)"),
    result: (m, b) => b.op1("Reciprocal", [m.x!]),
  },
];

export const canonicalize = definePass({
  name: "canonicalize",
  doc: "Folds constants and shape computations, removes dead code, Identity, Casts to their input's type, inference Dropout and algebraic no-ops; Max/Min against a one-value constant become Clip; exporters' spellings of SiLU, LayerNorm, GELU and HardSwish become Swish, LayerNormalization, Gelu and HardSwish; an If with a known condition becomes its branch; Einsum becomes Transpose/ReduceSum/MatMul.",
  options: {
    "fold-limit": intOption(1 << 20, "largest result (in elements) constant folding may create", { min: 0 }),
  },
  rules: (o) => [
    deadCodeRule,
    removeIdentity,
    removeSameTypeCast,
    removeInferenceDropout,
    ...algebraic(identityTable),
    ...transposeRules,
    ...viewRules,
    swishRule,
    layerNormRule,
    layerNormAffineRule,
    geluRule,
    hardSwishRule,
    clampRule,
    einsumRule,
    foldConstantsRule(o["fold-limit"]),
    foldShapesRule,
    ...ifRules,
  ],
});
