// The two implementations of the C math that unary ops write their C form in (CMath,
// ir/unary.ts): scalar C on `float` (the branch-free loop math of vmath.ts and
// loop-math-unary.ts, max / min as bit masks, math.h for sqrt, floor and ceil: written so that
// gcc vectorizes the c99 loops without -ffast-math), and NEON on `float32x4_t` (vmath.ts's
// vector functions). Calling a unary op's `c` with each gives the vector loop body and the
// scalar one (tails, c99) from one expression, so they compute the same function. `unaryLoop`
// is the loop both the unary kernels and the fused-activation sweep emit.
import type { Attrs } from "../../ir/graph.js";
import type { Target } from "../../ir/target.js";
import { NoVectorForm, type CMath, type UnaryFn } from "../../ir/unary.js";
import { cFloat } from "../c-util.js";
import type { KernelContext } from "../kernel.js";
import { useSelect } from "./common.js";
import { useUnaryLoopMath } from "./loop-math-unary.js";
import { useVMath } from "./vmath.js";

/** A CMath whose `let` collects `const T name = e;` declarations into `decls`. */
interface Collecting extends CMath {
  readonly decls: string[];
}

export function scalarMath(): Collecting {
  const decls: string[] = [];
  const bin = (op: string) => (a: string, b: string) => `(${a} ${op} ${b})`;
  return {
    vector: false,
    decls,
    k: cFloat,
    let: (e) => {
      const name = `t${decls.length}`;
      decls.push(`const float ${name} = ${e};`);
      return name;
    },
    add: bin("+"), sub: bin("-"), mul: bin("*"), div: bin("/"),
    fma: (a, b, c) => `(${a} + ${b} * ${c})`,
    neg: (a) => `(-${a})`,
    abs: (a) => `fabsf(${a})`,
    // Bit masks (common.ts): gcc vectorizes them in fewer instructions than a float ?: (same results).
    max: (a, b) => `neonc_select_f32(${a} < ${b}, ${b}, ${a})`,
    min: (a, b) => `neonc_select_f32(${a} > ${b}, ${b}, ${a})`,
    lt: bin("<"), le: bin("<="), gt: bin(">"), ge: bin(">="),
    select: (c, t, f) => `(${c} ? ${t} : ${f})`,
    // The branch-free loop math (vmath.ts, loop-math-unary.ts), which gcc vectorizes with standard
    // flags, where math.h's functions are calls it vectorizes only under -ffast-math. NaN stays NaN
    // (sigmoid tests for it itself; expm1Neg only ever feeds a select that takes x when x is NaN).
    exp: (a) => `neonc_exp_lf(${a})`,
    expm1Neg: (a) => `neonc_expm1neg_lf(${a})`,
    log: (a) => `neonc_log_lf(${a})`,
    sqrt: (a) => `sqrtf(${a})`,
    tanh: (a) => {
      const v = `t${decls.length}`;
      decls.push(`const float ${v} = ${a};`);
      return `neonc_keep_nan_lf(${v}, neonc_tanh_lf(${v}))`;
    },
    sigmoid: (a) => `neonc_sigmoid_lf(${a})`,
    erf: (a) => `neonc_erf_lf(${a})`,
    // As the NEON form: Gelu's bound allows for it where the result is below ulp(1) |x|.
    erfc: (a) => `(1.0f - neonc_erf_lf(${a}))`,
    floor: (a) => `floorf(${a})`,
    ceil: (a) => `ceilf(${a})`,
    // Generated code never changes the rounding mode, so nearbyintf rounds halves to even.
    roundEven: (a) => `nearbyintf(${a})`,
    call: (name, ...args) => `neonc_${name}_lf(${args.join(", ")})`,
  };
}

export function vectorMath(target: Target): Collecting {
  const decls: string[] = [];
  const a64 = target.arch === "aarch64";
  const call = (f: string) => (...args: string[]) => `${f}(${args.join(", ")})`;
  const none = (what: string) => () => {
    throw new NoVectorForm(`${what} has no NEON form on ${target.name}`);
  };
  return {
    vector: true,
    decls,
    k: (v) => `vdupq_n_f32(${cFloat(v)})`,
    let: (e) => {
      const name = `t${decls.length}`;
      decls.push(`const float32x4_t ${name} = ${e};`);
      return name;
    },
    add: call("vaddq_f32"), sub: call("vsubq_f32"), mul: call("vmulq_f32"), div: call("neonc_div_f32x4"),
    fma: call("neonc_fma_f32x4"),
    neg: call("vnegq_f32"),
    abs: call("vabsq_f32"),
    max: call("vmaxq_f32"),
    min: call("vminq_f32"),
    lt: call("vcltq_f32"), le: call("vcleq_f32"), gt: call("vcgtq_f32"), ge: call("vcgeq_f32"),
    select: call("vbslq_f32"),
    exp: call("neonc_exp_f32x4"),
    expm1Neg: call("neonc_expm1neg_f32x4"),
    log: call("neonc_log_f32x4"),
    sqrt: call("neonc_sqrt_f32x4"),
    tanh: call("neonc_tanh_f32x4"),
    sigmoid: call("neonc_sigmoid_f32x4"),
    erf: call("neonc_erf_f32x4"),
    erfc: (a) => `vsubq_f32(vdupq_n_f32(1.0f), neonc_erf_f32x4(${a}))`,
    // Rounding to an integer (toward -inf, +inf, to nearest even: vrndm, vrndp, vrndn) is ARMv8;
    // armv7 runs the scalar loop.
    floor: a64 ? call("vrndmq_f32") : none("floor"),
    ceil: a64 ? call("vrndpq_f32") : none("ceil"),
    roundEven: a64 ? call("vrndnq_f32") : none("roundEven"),
    call: (name, ...args) => `neonc_${name}_f32x4(${args.join(", ")})`,
  };
}

/** The vector body of `fn` for `attrs` on `target` (declarations, then the result), or undefined when it has none there. */
export function vectorForm(fn: UnaryFn<any>, attrs: Attrs, target: Target, x: string): { decls: string[]; value: string } | undefined {
  if (!target.neon) return undefined;
  const m = vectorMath(target);
  try {
    return { value: fn.c(x, attrs, m), decls: m.decls };
  } catch (e) {
    if (e instanceof NoVectorForm) return undefined;
    throw e;
  }
}

/** The scalar body of `fn` for `attrs`: declarations, then the result. */
export function scalarForm(fn: UnaryFn<any>, attrs: Attrs, x: string): { decls: string[]; value: string } {
  const m = scalarMath();
  return { value: fn.c(x, attrs, m), decls: m.decls };
}

/**
 * C statements computing y[i] = f(x[i]) for i < n (x and y float pointer expressions, possibly
 * the same buffer; n a C expression): 4 lanes at a time with NEON where the function has a
 * vector form, the rest (and c99) in scalar C.
 */
export function unaryLoop(ctx: KernelContext, fn: UnaryFn<any>, attrs: Attrs, x: string, y: string, n: string): string {
  const lines = [`const float *x = ${x};`, `float *y = ${y};`, `size_t i = 0, n = (size_t)(${n});`];
  const vec = vectorForm(fn, attrs, ctx.target, "v");
  const sc = scalarForm(fn, attrs, "v");
  const body = (f: { decls: string[]; value: string }, store: (v: string) => string) => [...f.decls, store(f.value)].map((l) => `  ${l}`);
  if (vec) {
    // The tail restarts from n rounded down: gcc cannot always bound i after the vector loop.
    lines.push(`for (; i < (n & ~(size_t)3); i += 4) {`, `  const float32x4_t v = vld1q_f32(x + i);`);
    lines.push(...body(vec, (v) => `vst1q_f32(y + i, ${v});`), `}`);
    lines.push(`for (i = n & ~(size_t)3; i < n; i++) {`);
  } else {
    lines.push(`for (; i < n; i++) {`);
  }
  lines.push(`  const float v = x[i];`, ...body(sc, (v) => `y[i] = ${v};`), `}`);
  // The neonc_* math (and the vector helpers) only where the forms call some.
  const forms = [...sc.decls, sc.value, ...(vec ? [...vec.decls, vec.value] : [])].join("\n");
  if (forms.includes("neonc_select_f32")) useSelect(ctx);
  if (/\bneonc_\w+_lf\(/.test(forms)) useUnaryLoopMath(ctx);
  if (/\bneonc_\w+_f32x4\(/.test(forms)) useVMath(ctx);
  return lines.join("\n");
}
