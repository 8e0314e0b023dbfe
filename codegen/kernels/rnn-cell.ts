// The cell of the simple RNN, h = f(clip(g + rec)), for the float RNN kernel (rnn.ts) and its
// hybrid form (hybrid-rnn.ts): every function the ONNX RNN accepts (ir/ops/recurrent/
// activations.ts, with its alpha/beta), in float as the interpreter applies it. On NEON, Tanh,
// Sigmoid and Relu run four hidden units at a time (vmath.ts); on c99 Tanh and Sigmoid use the
// branch-free loop math of vmath.ts so that the compiler vectorizes the loop. The rest, and the
// tails, are scalar (the cell is O(H) against the O(H x (I + H)) products).
import { Act, type Activation } from "../../ir/kernels/rnn-activation-kinds.js";
import { cFloat } from "../c-util.js";
import type { KernelContext } from "../kernel.js";
import { useLoopMath, useVMath } from "./vmath.js";

/** Statements applying f to the float `v` in place, as the interpreter's applyActivation does. */
function scalarAct(f: Activation, neon: boolean): string {
  const a = cFloat(f.alpha), b = cFloat(f.beta);
  switch (f.kind) {
    case Act.Sigmoid: return neon ? "v = neonc_sigmoid_f32(v);" : "v = neonc_sigmoid_lf(v);";
    case Act.Tanh: return neon ? "v = neonc_tanh_f32(v);" : "v = neonc_tanh_lf(v);";
    case Act.Relu: return "if (!(v > 0.0f)) v = 0.0f;";
    case Act.HardSigmoid: return `v = ${a} * v + ${b}; v = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);`;
    case Act.LeakyRelu: return `if (v < 0.0f) v = ${a} * v;`;
    case Act.ThresholdedRelu: return `if (!(v > ${a})) v = 0.0f;`;
    case Act.ScaledTanh: return `v = ${a} * tanhf(${b} * v);`;
    case Act.Affine: return `v = ${a} * v + ${b};`;
    case Act.Elu: return `if (v < 0.0f) v = ${a} * expm1f(v);`;
    case Act.Softsign: return "v = v / (1.0f + fabsf(v));";
    case Act.Softplus: return "v = v > 0.0f ? v + log1pf(expf(-v)) : log1pf(expf(v));";
  }
}

/** The NEON form of f on the float32x4_t `v`, for the functions worth a vector loop. */
function vectorAct(f: Activation): string | undefined {
  switch (f.kind) {
    case Act.Sigmoid: return "v = neonc_sigmoid_f32x4(v);";
    case Act.Tanh: return "v = neonc_tanh_f32x4(v);";
    case Act.Relu: return "v = vmaxq_f32(v, vdupq_n_f32(0.0f));";
    default: return undefined;
  }
}

/** One step's cell as statements: hb[k] = f(clip(g[k] + rec[k])) for k < H (k a declared int). */
export function rnnCell(ctx: KernelContext, f: Activation, H: number, clip: number | undefined): string[] {
  const neon = ctx.target.neon;
  useVMath(ctx);
  if (!neon) useLoopMath(ctx);
  const c = clip === undefined ? "" : cFloat(clip);
  const clipS = clip === undefined ? "" : ` v = v < -${c} ? -${c} : (v > ${c} ? ${c} : v);`;
  const clipV = clip === undefined ? "" : ` v = vminq_f32(vmaxq_f32(v, vdupq_n_f32(-${c})), vdupq_n_f32(${c}));`;
  const vec = neon ? vectorAct(f) : undefined;
  return [
    `k = 0;`,
    ...(vec ? [`for (; k + 4 <= ${H}; k += 4) { float32x4_t v = vaddq_f32(vld1q_f32(g + k), vld1q_f32(rec + k));${clipV} ${vec} vst1q_f32(hb + k, v); }`] : []),
    `for (; k < ${H}; k++) { float v = g[k] + rec[k];${clipS} ${scalarAct(f, neon)} hb[k] = v; }`,
  ];
}
