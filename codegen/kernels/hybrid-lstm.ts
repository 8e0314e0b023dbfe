// HybridLSTM (ir/ops/qint/hybrid.ts) in C: the LSTM of lstm.ts with W and R read as int8.
// Per direction, the input projection of every time step is one int8 x float product (bias
// Wb + Rb folded in); each step then multiplies R (int8, per-row scales) by h and runs the
// float LSTM cell of lstm.ts unchanged (gates i, o, f, c; peepholes, clip, input_forget).
import { cFloat } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { useCell } from "./lstm.js";
import {
  areDefaultActs, hybridLayer, hybridSupports, initState, inputProjection, projectionScratch, recurrentProduct, recurrentScratch, recurrentRows,
  saveState, stepLoop, type HybridFamily,
} from "./hybrid-common.js";

const family: HybridFamily = {
  op: "LSTM",
  gates: 4,
  defaults: ["Sigmoid", "Tanh", "Tanh"],
  constantInputs: [3, 7],
  acts: (acts) => (areDefaultActs(family, acts) ? undefined : "only the default activations (Sigmoid, Tanh, Tanh) are generated"),
};

export const hybridLstmKernel = defineKernel({
  op: "HybridLSTM",
  supports: (node, attrs, g) => hybridSupports(family, node, attrs, g),
  emit(node, attrs, ctx) {
    useCell(ctx);
    const [xN, wN, rN, bN, , h0N, c0N, pN] = node.inputs;
    const [yN, yhN, ycN] = node.outputs;
    const layer = hybridLayer(family, node, attrs, ctx);
    const { D, G, H, B } = layer;
    const clip = attrs.clip as number | undefined;
    const clipArgs = clip === undefined ? "0, 0.0f" : `1, ${cFloat(clip)}`;
    const inputForget = ((attrs.input_forget as number | undefined) ?? 0) !== 0 ? 1 : 0;
    const [Tn, Bn] = ctx.shape(xN!) as [string, string];
    const proj = projectionScratch(ctx, xN!, layer), rec = recurrentScratch(ctx, G);
    const hs = ctx.scratch(B * H), cs = ctx.scratch(B * H);
    const lines = [
      `const float *X = ${ctx.ptr(xN!)};`,
      `float *proj = ${proj}, *rec = ${rec}, *h = ${hs}, *c = ${cs};`,
      `const int Tn = ${Tn}, Bn = ${Bn};`,
      `int step, b;`,
    ];
    for (let d = 0; d < D; d++) {
      const bd = layer.bias(d);
      let sum: Float32Array | undefined;
      if (bd) {
        sum = new Float32Array(G);
        for (let j = 0; j < G; j++) sum[j] = bd[j]! + bd[G + j]!;
      }
      const projection = inputProjection(ctx, layer, d, wN!, sum);
      const R = recurrentRows(ctx, layer, d, rN!, G, 0);
      const peep = pN ? `${ctx.ptr(pN)} + ${d * 3 * H}` : "0";
      lines.push(
        `/* direction ${d}${layer.reverse(d) ? " (reverse)" : ""} */`,
        initState(ctx, h0N, "h", layer, d),
        initState(ctx, c0N, "c", layer, d),
        projection.code,
        ...stepLoop(ctx, layer, d, projection.rows, yN, [
          recurrentProduct(ctx, layer, R, "hb", "rec"),
          `neonc_lstm_cell_f32(${H}, g, rec, c + (size_t)b * ${H}, hb, ${peep}, ${clipArgs}, ${inputForget});`,
        ]),
        ...saveState(ctx, yhN, "h", layer, d),
        ...saveState(ctx, ycN, "c", layer, d),
      );
    }
    return lines.join("\n");
  },
});
