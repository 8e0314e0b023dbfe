// winograd{m=auto|2|4|6, int8=exact|scaled}: the lower stage's Winograd rules on their own, so a
// pipeline (or `--winograd`) can ask for Winograd convolution before `lower` gives every other
// conv its direct algorithm. Each 1-D conv of stride 1 and dilation 1 whose cost model
// (passes/lower/winograd-cost.ts) says F(m, r) pays on the pass context's target becomes
// ConvWinograd, and each such QConv (after --int8) QConvWinograd; `--explain winograd` says per
// conv what was chosen and why, or why not. `int8` selects the integer scheme: exact
// (integer-scaled transforms, bit-exact with direct), the one neonc has.
import { getTarget } from "../../ir/target.js";
import { enumOption } from "../options.js";
import { definePass } from "../pass.js";
import { algorithmPattern } from "../lower/algorithm-rule.js";
import { convWinograd } from "../lower/winograd.js";
import { qconvWinograd } from "../lower/qconv-winograd.js";

export const winograd = definePass({
  name: "winograd",
  doc: "Rewrites stride-1 1-D convolutions into Winograd F(m, r) where the target's cost model says it pays",
  options: {
    m: enumOption(["auto", "2", "4", "6"], "auto", "the output tile m of F(m, r); auto lets the cost model choose per convolution"),
    int8: enumOption(["exact"], "exact", "integer scheme for quantized convolutions: exact (integer-scaled transforms, bit-exact with direct)"),
  },
  rules: (options, ctx) => {
    const target = ctx.target ?? getTarget("c99");
    return [convWinograd, qconvWinograd].map((r) => algorithmPattern(r, target, { winograd: options.m }));
  },
});
