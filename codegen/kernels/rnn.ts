// The simple RNN (ONNX semantics: Ht = f(clip(W·x_t + Wb + R·Ht-1 + Rb)); forward, reverse or
// bidirectional; any activation function; layout, sequence_lens and initial_h through
// rnn-frame.ts). The input projections of all time steps are one blocked matrix product before
// the recurrence (biases Wb + Rb folded in); each step adds R·h with lstm.ts's packed
// matrix-vector product and applies the activation (rnn-cell.ts). W, R and B may be constants
// (packed at compile time) or graph inputs (packed at run time, rnn-weights.ts).
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { resolveActivations } from "../../ir/kernels/rnn-activation-kinds.js";
import { defineKernel } from "../kernel.js";
import { gemvBlock, useGemv } from "./lstm.js";
import { matmulScratch, useMatmul } from "./matmul.js";
import { rnnCell } from "./rnn-cell.js";
import { frameSupports, initState, projectionScratch, prologue, rnnFrame, saveState, stateScratch, stepLoop } from "./rnn-frame.js";
import { RnnWeights } from "./rnn-weights.js";

function activations(attrs: Attrs) {
  return resolveActivations(
    attrs.activations as readonly string[] | undefined,
    attrs.activation_alpha as readonly number[] | undefined,
    attrs.activation_beta as readonly number[] | undefined,
    ["Tanh"],
    attrs.direction === "bidirectional" ? 2 : 1,
  );
}

export const rnnKernel = defineKernel({
  op: "RNN",
  supports(node: Node, attrs: Attrs, g: Graph) {
    if (g.types[node.inputs[0]!]?.dtype !== "f32") return "only float32 is generated";
    try {
      activations(attrs);
    } catch (e) {
      return (e as Error).message;
    }
    return frameSupports(node, attrs, g);
  },
  emit(node, attrs, ctx) {
    useMatmul(ctx);
    useGemv(ctx);
    const [xN, wN, rN, bN, , h0N] = node.inputs;
    const yhN = node.outputs[1];
    const w = ctx.type(wN!);
    const D = w.shape[0] as number, H = w.shape[1] as number;
    const f = rnnFrame(node, attrs, ctx, D, H);
    const acts = activations(attrs);
    const clip = attrs.clip as number | undefined;
    const rows = Math.ceil(H / gemvBlock(ctx)) * gemvBlock(ctx);
    const ap = matmulScratch(ctx, f.I);
    const weights = new RnnWeights(ctx);
    const lines = prologue(ctx, f, xN!, [`proj = ${projectionScratch(ctx, f, H)}`, `rec = ${ctx.scratch(rows)}`, `h = ${stateScratch(ctx, f)}`], "k");
    for (let d = 0; d < D; d++) {
      const wt = weights.projection(wN!, d, H, f.I), rp = weights.recurrent(rN!, d, H, H, 0, H), bias = weights.bias(bN || undefined, d, H);
      lines.push(
        `/* direction ${d}${f.reverse(d) ? " (reverse)" : ""} */`,
        ...wt.code, ...rp.code, ...bias.code,
        initState(ctx, f, h0N || undefined, "h", d),
        `neonc_matmul_f32(Tn * Bn, ${f.I}, ${H}, X, ${wt.ptr}, ${H}, ${bias.ptr}, proj, 0, 0.0f, 0.0f, ${ap});`,
        ...stepLoop(f, ctx, d, H, [`neonc_gemv_f32(${H}, ${rows}, hb, ${rp.ptr}, rec);`, ...rnnCell(ctx, acts[d]![0]!, H, clip)]),
        ...saveState(ctx, f, yhN || undefined, "h", d),
      );
    }
    return lines.join("\n");
  },
});
