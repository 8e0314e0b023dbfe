// winograd{m=auto|2|4|6, int8=exact|scaled, calibration=, samples=4}: the lower stage's Winograd
// rules on their own, so a pipeline (or `--winograd`) can ask for Winograd convolution before
// `lower` gives every other conv its direct algorithm. Each 1-D conv of stride 1 and dilation 1
// whose cost model (passes/lower/winograd-cost.ts) says F(m, r) pays on the pass context's target
// becomes ConvWinograd, and each such QConv (after --int8) QConvWinograd or QConvWinogradScaled;
// `--explain winograd` says per conv what was chosen and why, or why not. `int8` selects the
// integer scheme: exact (integer-scaled transforms, bit-exact with direct) or scaled (int8
// operands in the Winograd domain with per-tap input scales picked on calibration data: the int8
// flow's samples, which the host hands over, or a folder named by `calibration`).
import type { Graph } from "../../ir/graph.js";
import { getTarget } from "../../ir/target.js";
import { enumOption, intOption, stringOption } from "../options.js";
import { definePass, type PassContext } from "../pass.js";
import { applyRules } from "../patterns.js";
import { algorithmPattern } from "../lower/algorithm-rule.js";
import { convWinograd } from "../lower/winograd.js";
import { qconvWinograd } from "../lower/qconv-winograd.js";
import { qconvWinogradScaled } from "../lower/qconv-winograd-scaled.js";
import { captureConvInputs } from "./capture.js";
import { passSamples } from "../calibration-samples.js";

export const winograd = definePass({
  name: "winograd",
  doc: "Rewrites stride-1 1-D convolutions into Winograd F(m, r) where the target's cost model says it pays",
  options: {
    m: enumOption(["auto", "2", "4", "6"], "auto", "the output tile m of F(m, r); auto lets the cost model choose per convolution"),
    int8: enumOption(["exact", "scaled"], "exact", "integer scheme for quantized convolutions: exact (integer-scaled transforms, bit-exact with direct) or scaled (int8 transform-domain operands, per-tap scales from calibration data)"),
    calibration: stringOption("", "int8=scaled: a folder of input .pb files to pick the input scales on (read by the host); '' takes the samples the int8 flow calibrated on"),
    samples: intOption(4, "int8=scaled: calibration samples run to pick the input scales", { min: 1 }),
  },
  run(graph, ctx) {
    const target = ctx.target ?? getTarget("c99");
    const o = ctx.options;
    const integer = o.int8 === "scaled" && graph.nodes.some((n) => n.op === "QConv") ? scaledRule(graph, ctx) : qconvWinograd;
    return applyRules(graph, [convWinograd, integer].map((r) => algorithmPattern(r, target, { winograd: o.m })), { ctx });
  },
});

type WinogradContext = PassContext<{ m: string; int8: string; calibration: string; samples: number }>;

/** The scaled rule with the convolutions' inputs captured on calibration samples. */
function scaledRule(graph: Graph, ctx: WinogradContext) {
  const o = ctx.options;
  const samples = passSamples(graph, ctx, o.calibration, o.samples,
    "int8=scaled (--winograd-int8 scaled) picks its input scales on calibration samples, and saved ranges hold none: calibrate --int8 on a folder or on synthetic inputs, or give the pass calibration=FOLDER",
    "the scaled scheme");
  const count = Math.min(o.samples, samples.length);
  const task = ctx.progress("winograd: measuring transformed inputs", count);
  const inputs = captureConvInputs(graph, samples, count, () => task.tick());
  task.done();
  return qconvWinogradScaled((v) => inputs.get(v));
}
