// HybridLSTM (ir/ops/integer/hybrid.ts) in C: the LSTM of lstm.ts with W and R read as int8.
// Per direction, the input projection of every time step is one int8 x float product (bias
// Wb + Rb folded in); each step then multiplies R (int8, per-row scales) by h and runs the
// float LSTM cell of lstm.ts unchanged (gates i, o, f, c; peepholes, clip, input_forget).
import { cFloat } from "../c-util.js";
import { useCell } from "./lstm.js";
import {
  areDefaultActs, defineHybridKernel, foldedBias, hybridStateScratch, initState, inputProjection, projectionScratch, prologue, recurrentProduct, recurrentScratch,
  recurrentRows, saveState, stepLoop, type HybridFamily,
} from "./hybrid-common.js";

const family: HybridFamily = {
  op: "LSTM",
  gates: 4,
  defaults: ["Sigmoid", "Tanh", "Tanh"],
  constantInputs: [3, 7],
  acts: (acts) => (areDefaultActs(family, acts) ? undefined : "only the default activations (Sigmoid, Tanh, Tanh) are generated"),
};

export const hybridLstmKernel = defineHybridKernel(family, (node, attrs, ctx, layer) => {
  useCell(ctx);
  const [xN, wN, rN, , , h0N, c0N, pN] = node.inputs;
  const [, yhN, ycN] = node.outputs;
  const { D, G, H } = layer;
  const clip = attrs.clip as number | undefined;
  const clipArgs = clip === undefined ? "0, 0.0f" : `1, ${cFloat(clip)}`;
  const inputForget = ((attrs.input_forget as number | undefined) ?? 0) !== 0 ? 1 : 0;
  const proj = projectionScratch(ctx, layer), rec = recurrentScratch(ctx, G);
  const hs = hybridStateScratch(ctx, layer), cs = hybridStateScratch(ctx, layer);
  const lines = prologue(ctx, layer, xN!, [`proj = ${proj}`, `rec = ${rec}`, `h = ${hs}`, `c = ${cs}`]);
  for (let d = 0; d < D; d++) {
    const projection = inputProjection(ctx, layer, d, wN!, foldedBias(layer, d));
    const R = recurrentRows(ctx, layer, d, rN!, G, 0);
    const peep = pN ? `${ctx.ptr(pN)} + ${d * 3 * H}` : "0";
    lines.push(
      `/* direction ${d}${layer.frame.reverse(d) ? " (reverse)" : ""} */`,
      initState(ctx, h0N, "h", layer, d),
      initState(ctx, c0N, "c", layer, d),
      projection.code,
      ...stepLoop(ctx, layer, d, projection.rows, [
        recurrentProduct(ctx, layer, R, "hb", "rec"),
        `neonc_lstm_cell_f32(${H}, g, rec, c + (size_t)b * ${H}, hb, ${peep}, ${clipArgs}, ${inputForget});`,
      ]),
      ...saveState(ctx, yhN, "h", layer, d),
      ...saveState(ctx, ycN, "c", layer, d),
    );
  }
  return lines.join("\n");
});
