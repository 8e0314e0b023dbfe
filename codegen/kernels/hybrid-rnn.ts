// HybridRNN (ir/ops/integer/hybrid.ts) in C: the simple RNN, h = f(clip(W x + Wb + R h + Rb)), with
// W and R read as int8 (hybrid-gemv.ts) and the float RNN's cell (rnn-cell.ts: every activation
// function the ONNX RNN accepts, per direction, in float as the interpreter applies it).
//
// This file also re-exports the LSTM and GRU hybrid kernels, so kernels/index.ts registers the
// three hybrid recurrent kernels from one place.
import {
  defineHybridKernel, foldedBias, hybridStateScratch, initState, inputProjection, nodeActivations, projectionScratch, prologue, recurrentProduct, recurrentRows,
  recurrentScratch, saveState, stepLoop, type HybridFamily,
} from "./hybrid-common.js";
import { rnnCell } from "./rnn-cell.js";

export { hybridGruKernel } from "./hybrid-gru.js";
export { hybridLstmKernel } from "./hybrid-lstm.js";

const family: HybridFamily = { op: "RNN", gates: 1, defaults: ["Tanh"], constantInputs: [3], acts: () => undefined };

export const hybridRnnKernel = defineHybridKernel(family, (node, attrs, ctx, layer) => {
  const [xN, wN, rN, , , h0N] = node.inputs;
  const yhN = node.outputs[1];
  const acts = nodeActivations(family, attrs);
  const { D, G, H } = layer;
  const clip = attrs.clip as number | undefined;
  const proj = projectionScratch(ctx, layer), rec = recurrentScratch(ctx, G), hs = hybridStateScratch(ctx, layer);
  const lines = prologue(ctx, layer, xN!, [`proj = ${proj}`, `rec = ${rec}`, `h = ${hs}`], "k");
  for (let d = 0; d < D; d++) {
    const projection = inputProjection(ctx, layer, d, wN!, foldedBias(layer, d));
    const R = recurrentRows(ctx, layer, d, rN!, G, 0);
    lines.push(
      `/* direction ${d}${layer.frame.reverse(d) ? " (reverse)" : ""} */`,
      initState(ctx, h0N, "h", layer, d),
      projection.code,
      ...stepLoop(ctx, layer, d, projection.rows, [recurrentProduct(ctx, layer, R, "hb", "rec"), ...rnnCell(ctx, acts[d]![0]!, H, clip)]),
      ...saveState(ctx, yhN, "h", layer, d),
    );
  }
  return lines.join("\n");
});
