// Float activations that need the vector math of vmath.ts or attributes: Sigmoid, Tanh, Exp,
// Erf, Gelu (erf and tanh forms), Clip, HardSigmoid, HardSwish and Elu. One flat loop over the elements: 4 at a time with NEON (the
// transcendental ones through vmath.ts), the tail and the c99 target in scalar C. All may
// write over their input.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { cFloat } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { useVMath } from "./vmath.js";

interface UnarySpec {
  readonly op: string;
  /** Scalar C expression of `v` (a float). */
  scalar(v: string, a: Attrs): string;
  /** C statements turning float32x4_t `v` into float32x4_t `r`. */
  vector(a: Attrs): string;
  readonly math?: boolean;
  supports?(node: Node, a: Attrs, g: Graph): string | undefined;
}

const num = (a: Attrs, k: string, def: number) => (a[k] as number | undefined) ?? def;
const SQRT_HALF = cFloat(Math.SQRT1_2);
const GELU_K = cFloat(Math.sqrt(2 / Math.PI));

const SPECS: readonly UnarySpec[] = [
  { op: "Sigmoid", math: true, scalar: (v) => `neonc_sigmoid_f32(${v})`, vector: () => `r = neonc_sigmoid_f32x4(v);` },
  { op: "Tanh", math: true, scalar: (v) => `neonc_tanh_f32(${v})`, vector: () => `r = neonc_tanh_f32x4(v);` },
  { op: "Exp", math: true, scalar: (v) => `neonc_exp_f32(${v})`, vector: () => `r = neonc_exp_f32x4(v);` },
  { op: "Erf", math: true, scalar: (v) => `neonc_erf_f32(${v})`, vector: () => `r = neonc_erf_f32x4(v);` },
  {
    op: "Gelu",
    math: true,
    supports: (_n, a) => (a.approximate === "none" || a.approximate === "tanh" || a.approximate === undefined ? undefined : `approximate="${String(a.approximate)}" is not a Gelu form`),
    // erfc keeps the relative accuracy of the exact form for large negative inputs.
    scalar: (v, a) => a.approximate === "tanh"
      ? `0.5f * ${v} * (1.0f + neonc_tanh_f32(${GELU_K} * (${v} + 0.044715f * ${v} * ${v} * ${v})))`
      : `0.5f * ${v} * erfcf(-${v} * ${SQRT_HALF})`,
    vector: (a) => a.approximate === "tanh"
      ? `r = vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), v), vaddq_f32(vdupq_n_f32(1.0f), neonc_tanh_f32x4(vmulq_f32(vdupq_n_f32(${GELU_K}), neonc_fma_f32x4(v, vmulq_f32(vdupq_n_f32(0.044715f), v), vmulq_f32(v, v))))));`
      : `r = vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), v), vaddq_f32(vdupq_n_f32(1.0f), neonc_erf_f32x4(vmulq_f32(v, vdupq_n_f32(${SQRT_HALF})))));`,
  },
  {
    op: "Clip",
    supports: (node) => (node.inputs[1] || node.inputs[2] ? "Clip bounds computed at run time are not supported; they must be constants" : undefined),
    scalar: (v, a) => {
      let e = v;
      if (a.min !== undefined) e = `(${e} < ${cFloat(a.min as number)} ? ${cFloat(a.min as number)} : ${e})`;
      if (a.max !== undefined) e = `(${e} > ${cFloat(a.max as number)} ? ${cFloat(a.max as number)} : ${e})`;
      return e;
    },
    vector: (a) => {
      let e = "v";
      if (a.min !== undefined) e = `vmaxq_f32(${e}, vdupq_n_f32(${cFloat(a.min as number)}))`;
      if (a.max !== undefined) e = `vminq_f32(${e}, vdupq_n_f32(${cFloat(a.max as number)}))`;
      return `r = ${e};`;
    },
  },
  {
    op: "HardSigmoid",
    scalar: (v, a) => `neonc_clamp01_f32(${cFloat(num(a, "alpha", 0.2))} * ${v} + ${cFloat(num(a, "beta", 0.5))})`,
    vector: (a) => `r = vminq_f32(vmaxq_f32(neonc_fma_f32x4(vdupq_n_f32(${cFloat(num(a, "beta", 0.5))}), v, vdupq_n_f32(${cFloat(num(a, "alpha", 0.2))})), vdupq_n_f32(0.0f)), vdupq_n_f32(1.0f));`,
  },
  {
    op: "HardSwish",
    scalar: (v) => `${v} * neonc_clamp01_f32(${v} / 6.0f + 0.5f)`,
    vector: () => `r = vmulq_f32(v, vminq_f32(vmaxq_f32(neonc_fma_f32x4(vdupq_n_f32(0.5f), v, vdupq_n_f32(${cFloat(1 / 6)})), vdupq_n_f32(0.0f)), vdupq_n_f32(1.0f)));`,
  },
  {
    op: "Elu",
    math: true,
    scalar: (v, a) => `(${v} < 0.0f ? ${cFloat(num(a, "alpha", 1))} * neonc_expm1_f32(${v}) : ${v})`,
    vector: (a) => `r = vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.0f)), vmulq_f32(vdupq_n_f32(${cFloat(num(a, "alpha", 1))}), neonc_expm1neg_f32x4(v)), v);`,
  },
];

function useClamp01(ctx: KernelContext): void {
  ctx.helper("clamp01_f32", `static inline float neonc_clamp01_f32(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }`);
}

function unaryKernel(s: UnarySpec): KernelDef {
  return defineKernel({
    op: s.op,
    inPlace: 0,
    supports(node, a, g) {
      if (g.types[node.inputs[0]!]?.dtype !== "f32") return "only float32 is generated";
      return s.supports?.(node, a, g);
    },
    emit(node, attrs, ctx) {
      // The vector helpers (neonc_fma_f32x4...) live with the math, so NEON always pulls it in.
      if (s.math || ctx.target.neon) useVMath(ctx);
      useClamp01(ctx);
      const lines = [
        `const float *x = ${ctx.ptr(node.inputs[0]!)};`,
        `float *y = ${ctx.ptr(node.outputs[0]!)};`,
        `size_t i = 0, n = (size_t)${ctx.numel(node.outputs[0]!)};`,
      ];
      if (ctx.target.neon) {
        // The tail restarts from n rounded down: gcc cannot always bound i after the vector loop.
        lines.push(`for (; i < (n & ~(size_t)3); i += 4) {`, `  const float32x4_t v = vld1q_f32(x + i);`, `  float32x4_t r;`, `  ${s.vector(attrs)}`, `  vst1q_f32(y + i, r);`, `}`);
        lines.push(`for (i = n & ~(size_t)3; i < n; i++) { const float v = x[i]; y[i] = ${s.scalar("v", attrs)}; }`);
      } else {
        lines.push(`for (; i < n; i++) { const float v = x[i]; y[i] = ${s.scalar("v", attrs)}; }`);
      }
      return lines.join("\n");
    },
  });
}

export const unaryMathKernels: KernelDef[] = SPECS.map(unaryKernel);
