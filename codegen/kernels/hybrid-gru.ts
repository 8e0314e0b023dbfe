// HybridGRU (ir/ops/integer/hybrid.ts) in C: the GRU of gru.ts with W and R read as int8.
// Per direction, the input projection of every time step is one int8 x float product (bias
// Wb + Rb for z and r, Wb for h). Each step multiplies the z/r rows of R by h, applies the gate
// math of gru.ts, then multiplies the h rows of R (plus Rbh) by h (linear_before_reset = 1) or
// by r * h (linear_before_reset = 0), and updates h with gru.ts's cell, clip included.
import { cFloat } from "../c-util.js";
import { useGruCell } from "./gru.js";
import {
  areDefaultActs, defineHybridKernel, foldedBias, hybridStateScratch, initState, inputProjection, projectionScratch, prologue, recurrentProduct, recurrentRows,
  recurrentScratch, saveState, stepLoop, type HybridFamily,
} from "./hybrid-common.js";

const family: HybridFamily = {
  op: "GRU",
  gates: 3,
  defaults: ["Sigmoid", "Tanh"],
  constantInputs: [3],
  acts: (acts) => (areDefaultActs(family, acts) ? undefined : "only the default activations (Sigmoid, Tanh) are generated"),
};

export const hybridGruKernel = defineHybridKernel(family, (node, attrs, ctx, layer) => {
  useGruCell(ctx);
  const [xN, wN, rN, , , h0N] = node.inputs;
  const yhN = node.outputs[1];
  const { D, G, H } = layer;
  const lbr = ((attrs.linear_before_reset as number | undefined) ?? 0) !== 0 ? 1 : 0;
  const clip = attrs.clip as number | undefined;
  const clipArgs = clip === undefined ? "0, 0.0f" : `1, ${cFloat(clip)}`;
  const proj = projectionScratch(ctx, layer), rec = recurrentScratch(ctx, 2 * H), rech = recurrentScratch(ctx, H);
  const rh = lbr ? "0" : ctx.scratch(H), hs = hybridStateScratch(ctx, layer);
  const lines = prologue(ctx, layer, xN!, [`proj = ${proj}`, `rec = ${rec}`, `rech = ${rech}`, `h = ${hs}`]);
  if (!lbr) lines.push(`float *rh = ${rh};`, `int k;`);
  for (let d = 0; d < D; d++) {
    // Wb + Rb for the z and r rows; Rbh goes with the h rows of R (linear_before_reset = 1 scales it by r).
    const projection = inputProjection(ctx, layer, d, wN!, foldedBias(layer, d, 2 * H));
    const Rzr = recurrentRows(ctx, layer, d, rN!, 2 * H, 0);
    const Rh = recurrentRows(ctx, layer, d, rN!, H, 2 * H, layer.bias(d)?.subarray(G + 2 * H, G + 3 * H));
    const hProduct = lbr
      ? [recurrentProduct(ctx, layer, Rh, "hb", "rech")]
      : [`for (k = 0; k < ${H}; k++) rh[k] = g[${H} + k] * hb[k];`, recurrentProduct(ctx, layer, Rh, "rh", "rech")];
    lines.push(
      `/* direction ${d}${layer.frame.reverse(d) ? " (reverse)" : ""} */`,
      initState(ctx, h0N, "h", layer, d),
      projection.code,
      ...stepLoop(ctx, layer, d, projection.rows, [
        recurrentProduct(ctx, layer, Rzr, "hb", "rec"),
        `neonc_gru_zr_f32(${2 * H}, g, rec, ${clipArgs});`,
        ...hProduct,
        `neonc_gru_update_f32(${H}, g, g + ${H}, g + ${2 * H}, rech, hb, ${lbr}, ${clipArgs});`,
      ]),
      ...saveState(ctx, yhN, "h", layer, d),
    );
  }
  return lines.join("\n");
});
