// HybridRNN (ir/ops/integer/hybrid.ts) in C: the simple RNN, h = f(clip(W x + Wb + R h + Rb)), with
// W and R read as int8 (hybrid-gemv.ts). There is no float RNN kernel to share a cell with, so
// the activation is written here: every function the ONNX RNN accepts (ir/ops/recurrent/
// activations.ts, with its alpha/beta), per direction, in float as the interpreter applies it.
// On NEON, Tanh, Sigmoid and Relu run four hidden units at a time (vmath.ts); the rest, and the
// tail, are scalar (the cell is O(H) against the O(H x (I + H)) products).
//
// This file also re-exports the LSTM and GRU hybrid kernels, so kernels/index.ts registers the
// three hybrid recurrent kernels from one place.
import { Act, type Activation } from "../../ir/kernels/rnn-activation-kinds.js";
import { cFloat } from "../c-util.js";
import {
  defineHybridKernel, foldedBias, initState, inputProjection, nodeActivations, projectionScratch, prologue, recurrentProduct, recurrentRows,
  recurrentScratch, saveState, stepLoop, type HybridFamily,
} from "./hybrid-common.js";
import { useVMath } from "./vmath.js";

export { hybridGruKernel } from "./hybrid-gru.js";
export { hybridLstmKernel } from "./hybrid-lstm.js";

const family: HybridFamily = { op: "RNN", gates: 1, defaults: ["Tanh"], constantInputs: [3], acts: () => undefined };

/** Statements applying f to the float `v` in place, as the interpreter's applyActivation does. */
function scalarAct(f: Activation): string {
  const a = cFloat(f.alpha), b = cFloat(f.beta);
  switch (f.kind) {
    case Act.Sigmoid: return "v = neonc_sigmoid_f32(v);";
    case Act.Tanh: return "v = neonc_tanh_f32(v);";
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

/** One step's cell: hb[k] = f(clip(g[k] + rec[k])) for k < H. */
function cell(neon: boolean, f: Activation, H: number, clip: number | undefined): string[] {
  const c = clip === undefined ? "" : cFloat(clip);
  const clipS = clip === undefined ? "" : ` v = v < -${c} ? -${c} : (v > ${c} ? ${c} : v);`;
  const clipV = clip === undefined ? "" : ` v = vminq_f32(vmaxq_f32(v, vdupq_n_f32(-${c})), vdupq_n_f32(${c}));`;
  const vec = neon ? vectorAct(f) : undefined;
  return [
    `k = 0;`,
    ...(vec ? [`for (; k + 4 <= ${H}; k += 4) { float32x4_t v = vaddq_f32(vld1q_f32(g + k), vld1q_f32(rec + k));${clipV} ${vec} vst1q_f32(hb + k, v); }`] : []),
    `for (; k < ${H}; k++) { float v = g[k] + rec[k];${clipS} ${scalarAct(f)} hb[k] = v; }`,
  ];
}

export const hybridRnnKernel = defineHybridKernel(family, (node, attrs, ctx, layer) => {
  useVMath(ctx);
  const [xN, wN, rN, , , h0N] = node.inputs;
  const [yN, yhN] = node.outputs;
  const acts = nodeActivations(family, attrs);
  const { D, G, H, B } = layer;
  const clip = attrs.clip as number | undefined;
  const proj = projectionScratch(ctx, xN!, layer), rec = recurrentScratch(ctx, G), hs = ctx.scratch(B * H);
  const lines = prologue(ctx, xN!, [`proj = ${proj}`, `rec = ${rec}`, `h = ${hs}`], "step, b, k");
  for (let d = 0; d < D; d++) {
    const projection = inputProjection(ctx, layer, d, wN!, foldedBias(layer, d));
    const R = recurrentRows(ctx, layer, d, rN!, G, 0);
    lines.push(
      `/* direction ${d}${layer.reverse(d) ? " (reverse)" : ""} */`,
      initState(ctx, h0N, "h", layer, d),
      projection.code,
      ...stepLoop(ctx, layer, d, projection.rows, yN, [recurrentProduct(ctx, layer, R, "hb", "rec"), ...cell(ctx.target.neon, acts[d]![0]!, H, clip)]),
      ...saveState(ctx, yhN, "h", layer, d),
    );
  }
  return lines.join("\n");
});
