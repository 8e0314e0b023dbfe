// Unary element-wise ops as data: the one description of y[i] = f(x[i]) from which every part of
// the compiler takes what it needs.
//
// An op definition holding a `UnaryFn` (as its `traits.unary`) gets, without further code:
// the interpreter's kernel (f on every element, computed in double and rounded by the store),
// its C kernel (codegen/kernels/unary.ts: `c` written once against a small math interface that
// codegen implements twice, as scalar C and as NEON float32x4_t code), its int8 form (a
// 256-entry table of f on the dequantized inputs, passes/quantize), its gradient rule
// (src/analyses/autodiff: `df`), its place in the random speech graphs (src/testing: `domain`
// and `samples`), and, with `fusion`, a kind of fused activation (ir/activation.ts).
import type { Attrs } from "./graph.js";
import type { AttrSchema, AttrsOf } from "./op.js";
import type { Tensor } from "./types.js";

/**
 * The C math a unary op's C form is written in. codegen/kernels/c-math.ts implements it twice:
 * as scalar C (`float` expressions, math.h) and as NEON (`float32x4_t` expressions), so one
 * function gives both loops. Operands and results are C expressions; conditions are C
 * expressions of the matching mask type. A function with no vector form on a target (sqrt,
 * floor, ceil and roundEven on armv7) throws `NoVectorForm`, and the kernel then runs the scalar loop there.
 */
export interface CMath {
  /** True for the NEON form. */
  readonly vector: boolean;
  /** A constant. */
  k(v: number): string;
  /** Names a subexpression used more than once (a local of the loop body); returns its name. */
  let(e: string): string;
  add(a: string, b: string): string;
  sub(a: string, b: string): string;
  mul(a: string, b: string): string;
  div(a: string, b: string): string;
  /** a + b * c, fused where the target has FMA. */
  fma(a: string, b: string, c: string): string;
  neg(a: string): string;
  abs(a: string): string;
  /** a < b ? b : a (a NaN in `a` propagates). */
  max(a: string, b: string): string;
  /** a > b ? b : a (a NaN in `a` propagates). */
  min(a: string, b: string): string;
  lt(a: string, b: string): string;
  le(a: string, b: string): string;
  gt(a: string, b: string): string;
  ge(a: string, b: string): string;
  /** cond ? t : f, lane by lane. */
  select(cond: string, t: string, f: string): string;
  exp(a: string): string;
  /** e^a - 1 for a <= 0, accurate near 0 (other inputs give unspecified values). */
  expm1Neg(a: string): string;
  log(a: string): string;
  sqrt(a: string): string;
  tanh(a: string): string;
  sigmoid(a: string): string;
  erf(a: string): string;
  /** 1 - erf(a), keeping relative accuracy for large a where the target can. */
  erfc(a: string): string;
  floor(a: string): string;
  ceil(a: string): string;
  /** Round to the nearest integer, halves to even (ONNX Round). */
  roundEven(a: string): string;
  /**
   * Any other function of vmath.ts by its name: neonc_<name>_f32 in scalar C, neonc_<name>_f32x4
   * in NEON. A new math function is those two C functions in vmath.ts, nothing else.
   */
  call(name: string, ...args: string[]): string;
}

/** Thrown by a CMath implementation that has no vector form of a function on its target. */
export class NoVectorForm extends Error {}

/**
 * How a fused activation is applied in the epilogue of the float conv / GEMM kernels, without a
 * separate pass over the output: max(x, 0), clamp(x, lo, hi) or x < 0 ? x * slope : x. A kind
 * with no epilogue form is applied by an in-place sweep right after the kernel.
 */
export type Epilogue =
  | { readonly form: "relu" }
  | { readonly form: "clamp"; readonly lo: number; readonly hi: number }
  | { readonly form: "leaky"; readonly slope: number };

/** The fused-activation form of a unary op (ir/activation.ts). */
export interface UnaryFusion<S extends AttrSchema> {
  /** Numeric attributes carried in order as `activation_params` (a missing one takes its default). */
  readonly params: readonly (keyof S & string)[];
  /** Params every fused use must give (e.g. Clip's two bounds). */
  readonly required?: number;
  /** The param value that stands for an absent attribute, per param (Clip's open bounds: -inf, +inf). */
  readonly absent?: readonly number[];
  /** A readable error when the params make no sense (e.g. Clip's min above max). */
  check?(a: AttrsOf<S>): string | undefined;
  /** The conv / GEMM epilogue form, where the function is one. */
  epilogue?(a: AttrsOf<S>): Epilogue;
}

export interface UnaryFn<S extends AttrSchema = AttrSchema> {
  /** The reference semantics in double precision; the interpreter rounds the result to the dtype. */
  f(x: number, a: AttrsOf<S>): number;
  /** dy/dx at x, given y = f(x) too: the gradient rule. */
  df(x: number, y: number, a: AttrsOf<S>): number;
  /**
   * dy/dx from y alone, where y determines it (Relu, Clip, Sigmoid, Tanh...): the gradient of a
   * fused activation then needs no second run of the op it is fused into.
   */
  dfy?(y: number, a: AttrsOf<S>): number | undefined;
  /** The C form: an expression of x (a C expression) in the math `m`; attributes as numbers. */
  c(x: string, a: AttrsOf<S>, m: CMath): string;
  /** Inputs where f is defined and well conditioned ([lo, hi]); tests and random graphs draw from it. */
  readonly domain?: readonly [number, number];
  /**
   * Piecewise constant (Floor, Ceil): a change in the last bit of the input can move the output
   * by a whole step, so random graphs apply it to exact values only (the graph input).
   */
  readonly steps?: true;
  /** Attribute sets tests and random graphs use (default: the defaults alone). */
  readonly samples?: readonly Attrs[];
  /** The attributes with the op's extra (constant) operands folded in: Clip's min and max inputs. */
  operands?(inputs: readonly (Tensor | undefined)[], a: AttrsOf<S>): AttrsOf<S>;
  /** The op as a fused activation of Conv, Gemm, MatMul, Add...; absent: it is never fused. */
  readonly fusion?: UnaryFusion<S>;
  /** On 64-bit integer storage (ONNX defines Abs, Neg, Relu on int64); absent: float and 32-bit storage only. */
  big?(x: bigint): bigint;
}

/** Inputs tests draw from when an op states no domain. */
export const DEFAULT_DOMAIN: readonly [number, number] = [-6, 6];

/** The input range tests and random graphs use for `u`. */
export function domainOf(u: UnaryFn<any>): readonly [number, number] {
  return u.domain ?? DEFAULT_DOMAIN;
}
