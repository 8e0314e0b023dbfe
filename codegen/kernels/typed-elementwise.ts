// Broadcasting element-wise ops on every numeric dtype, with the interpreter's arithmetic
// (ir/kernels/elementwise.ts rows, ir/ops/elementwise/*): integers wrap (computed in uint32_t or
// uint64_t), integer Div truncates and Mod takes the divisor's sign (fmod=0) or the dividend's
// (fmod=1), with 0 for a zero divisor and for MIN / -1; Pow computes in double and stores by the
// interpreter's rules (64-bit integer bases with integer exponents by squaring, wrapped); f16,
// bf16 and float8 compute in float and round once per op (per step for the n-ary ops, as the
// interpreter folds pairwise). Also the comparisons (bool out), And/Or/Xor/Not and Where.
//
// The float32 two-operand forms keep their vector kernels (elementwise.ts); these are the scalar
// loops of everything else, which gcc vectorizes where the types allow.
import type { DType } from "../../ir/dtype.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { broadcastLoop } from "./broadcast-loop.js";
import { fromDouble, isFloatKind, kindOf, load, store, valueType, wrapType, type Kind } from "./c-types.js";

const dtypeOf = (g: Graph, v: string): DType => g.types[v]!.dtype;

/** Why a node's dtypes have no C form (strings), or undefined. */
export function typedSupports(node: Node, _a: unknown, g: Graph): string | undefined {
  for (const v of [...node.inputs, ...node.outputs]) if (v && g.types[v]?.dtype === "string") return "string tensors have no C form";
  return undefined;
}

function useIntHelpers(ctx: KernelContext): void {
  ctx.helper("int_mod", `
/* Remainder with the divisor's sign (Python's %): ONNX Mod fmod=0 on integers; 0 for d = 0 or -1. */
static inline int64_t neonc_pymod_s64(int64_t x, int64_t d) {
  int64_t r;
  if (d == 0 || d == -1) return 0;
  r = x % d;
  return r != 0 && ((r < 0) != (d < 0)) ? r + d : r;
}
/* C's remainder (the dividend's sign): fmod=1; 0 for d = 0 or -1. */
static inline int64_t neonc_cmod_s64(int64_t x, int64_t d) {
  return d == 0 || d == -1 ? 0 : x % d;
}
/* Integer power by squaring, wrapped to 64 bits; a negative exponent gives 1/x^k truncated. */
static inline uint64_t neonc_ipow_u64(uint64_t b, uint64_t e, int neg_exp) {
  uint64_t r = 1;
  if (neg_exp) return b == 1 ? 1 : b == (uint64_t)0 - 1 ? ((e & 1) ? b : 1) : 0;
  while (e > 0) {
    if (e & 1) r *= b;
    e >>= 1;
    if (e > 0) b *= b;
  }
  return r;
}`);
}

/** A C expression of `op` on two values of dtype dt (value type), in the value type. */
function arith(ctx: KernelContext, op: string, dt: DType, a: string, b: string, attrs: Attrs): string {
  const k = kindOf(dt), t = ctype(dt), u = wrapType(dt);
  const signed = k === "sint" || k === "i64";
  if (isFloatKind(k)) {
    const one = k === "f64" ? "" : "f";
    switch (op) {
      case "Add": case "Sum": return `(${a} + ${b})`;
      case "Sub": return `(${a} - ${b})`;
      case "Mul": return `(${a} * ${b})`;
      case "Div": return `(${a} / ${b})`;
      case "Mod": return k === "f64" ? `fmod(${a}, ${b})` : `(float)fmod((double)${a}, (double)${b})`;
      case "Max": return `(${a} > ${b} ? ${a} : ${a} <= ${b} ? ${b} : (${a} - ${a}) * ${b})`;
      case "Min": return `(${a} < ${b} ? ${a} : ${a} >= ${b} ? ${b} : (${a} - ${a}) * ${b})`;
      case "PRelu": return `(${a} < 0.0${one} ? ${a} * ${b} : ${a})`;
    }
  } else {
    switch (op) {
      case "Add": return `(${t})((${u})${a} + (${u})${b})`;
      case "Sub": return `(${t})((${u})${a} - (${u})${b})`;
      case "Mul": return `(${t})((${u})${a} * (${u})${b})`;
      case "Div":
        if (k === "uint" || k === "u64") return `(${t})(${b} == 0 ? 0 : ${a} / ${b})`;
        if (k === "i64") return `(${b} == 0 ? (int64_t)0 : ${b} == -1 ? (int64_t)(0 - (uint64_t)${a}) : ${a} / ${b})`;
        return `(${t})(uint32_t)(${b} == 0 ? 0 : (int64_t)${a} / (int64_t)${b})`;
      case "Mod": {
        if (!signed) return `(${t})(${b} == 0 ? 0 : ${a} % ${b})`;
        useIntHelpers(ctx);
        return `(${t})${attrs.fmod ? "neonc_cmod_s64" : "neonc_pymod_s64"}((int64_t)${a}, (int64_t)${b})`;
      }
      case "Max": return `(${a} > ${b} ? ${a} : ${b})`;
      case "Min": return `(${a} < ${b} ? ${a} : ${b})`;
      case "PRelu": return signed ? `(${a} < 0 ? (${t})((${u})${a} * (${u})${b}) : ${a})` : a;
    }
  }
  throw new Error(`no C form of ${op} on ${dt}`);
}

/** Pow(X, Y) → X's dtype, by the interpreter's rules (ir/ops/elementwise/binary.ts). */
function powExpr(ctx: KernelContext, xt: DType, yt: DType, x: string, y: string): string {
  const xk = kindOf(xt), yk = kindOf(yt);
  if ((xk === "i64" || xk === "u64") && (yk === "sint" || yk === "uint" || yk === "i64" || yk === "u64" || yk === "bool")) {
    useIntHelpers(ctx);
    const neg = yk === "sint" || yk === "i64" ? `${y} < 0` : "0";
    return `(${ctype(xt)})neonc_ipow_u64((uint64_t)${x}, (uint64_t)${y}, ${neg})`;
  }
  // Packed bases and exponents widen to float first, 64-bit integer ones round to double.
  const xv = `(double)${load(ctx, xt, x)}`, yv = `(double)${load(ctx, yt, y)}`;
  return fromDouble(ctx, xt, `pow(${xv}, ${yv})`);
}

const COMPARE: Readonly<Record<string, string>> = { Equal: "==", Greater: ">", GreaterOrEqual: ">=", Less: "<", LessOrEqual: "<=" };
const LOGIC: Readonly<Record<string, string>> = { And: "&", Or: "|", Xor: "^" };

/** The C statements of a typed element-wise node (any op of this file). */
export function emitTyped(node: Node, attrs: Attrs, ctx: KernelContext): string {
  const g = ctx.graph;
  const ins = node.inputs;
  const y = node.outputs[0]!;
  const yd = dtypeOf(g, y);
  const decl = ins.map((v, k) => `const ${ctype(dtypeOf(g, v))} *p${k} = ${ctx.ptr(v)};`);
  decl.push(`${ctype(yd)} *py = ${ctx.ptr(y)};`);
  const op = node.op;
  const loop = (body: (o: string, idx: readonly string[]) => string) => [...decl, broadcastLoop(ctx, y, ins, body)].join("\n");
  if (op in COMPARE) {
    const dt = dtypeOf(g, ins[0]!);
    return loop((o, i) => `py[${o}] = (uint8_t)(${load(ctx, dt, `p0[${i[0]}]`)} ${COMPARE[op]} ${load(ctx, dt, `p1[${i[1]}]`)});`);
  }
  if (op in LOGIC) return loop((o, i) => `py[${o}] = (uint8_t)(p0[${i[0]}] ${LOGIC[op]} p1[${i[1]}]);`);
  if (op === "Not") return loop((o, i) => `py[${o}] = (uint8_t)(p0[${i[0]}] ? 0 : 1);`);
  if (op === "Where") return loop((o, i) => `py[${o}] = p0[${i[0]}] ? p1[${i[1]}] : p2[${i[2]}];`);
  if (op === "Pow") return loop((o, i) => `py[${o}] = ${powExpr(ctx, yd, dtypeOf(g, ins[1]!), `p0[${i[0]}]`, `p1[${i[1]}]`)};`);
  // Arithmetic, two operands or a left fold over several (rounded to the dtype after each step).
  const vt = valueType(yd);
  const packed = kindOf(yd) === "packed";
  const round = (e: string) => (packed ? load(ctx, yd, store(ctx, yd, e)) : e);
  const step = op === "Mean" ? "Add" : op;
  return loop((o, i) => {
    const lines = [`${vt} acc = ${load(ctx, yd, `p0[${i[0]}]`)};`];
    for (let k = 1; k < ins.length; k++) lines.push(`acc = ${round(arith(ctx, step, yd, "acc", load(ctx, yd, `p${k}[${i[k]}]`), attrs))};`);
    if (op === "Mean" && ins.length > 1) lines.push(`acc = acc / (${vt})${ins.length};`);
    lines.push(`py[${o}] = ${store(ctx, yd, "acc")};`);
    return `{ ${lines.join(" ")} }`;
  });
}

/** Kernels of the ops that had none: Mod, the comparisons, the logic ops, Not, Where. */
export const typedKernels: KernelDef[] = ["Mod", ...Object.keys(COMPARE), ...Object.keys(LOGIC), "Not", "Where"].map((op) =>
  defineKernel({ op, supports: typedSupports, emit: emitTyped }));

export type { Kind };
