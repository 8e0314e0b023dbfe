// The scaled integer Winograd rule: a 1-D QConv of stride 1 and dilation 1 with 8-bit
// activations becomes QConvWinogradScaled (ir/ops/lowered/qconv-winograd-scaled.ts: int8
// operands in the Winograd domain, the direct convolution's int8 GEMM on fewer multiplies) when
// the winograd pass runs with int8=scaled and the cost model (winograd-cost.ts, scheme "scaled")
// says it pays. Its input scales come from the layer's inputs on calibration data
// (winograd-input-scales.ts); a layer no calibration input reached stays direct.
import type { Tensor } from "../../ir/types.js";
import { integerTransforms } from "../../ir/kernels/integer-winograd.js";
import { scaledUnsupported, scaledWinogradPlan } from "../../ir/kernels/scaled-winograd.js";
import { winogradPlan } from "../../ir/kernels/conv-winograd.js";
import type { Target } from "../../ir/target.js";
import { ensure } from "../patterns.js";
import { chooseInputScales, chooseTapScale, tapHistograms, unclippedScales } from "./winograd-input-scales.js";
import { defineAlgorithmRule, type AlgorithmRule } from "./algorithm-rule.js";
import { integerWinogradCandidate } from "./qconv-winograd.js";
import { chooseTile, label } from "./winograd-cost.js";

const where = (t: Target) => `on ${t.name}`;

/** The rule, given each value's tensors on the calibration inputs (undefined: none captured). */
export function qconvWinogradScaled(calibrationInputs: (value: string) => readonly Tensor[] | undefined): AlgorithmRule {
  return defineAlgorithmRule({
    algorithm: "QConvWinogradScaled",
    enabled: (options) => options.winograd !== "off",
    choose(node, g, target, options) {
      const { s, Mg, tiles } = integerWinogradCandidate(node, g, options);
      const fits = (m: number, rs: number) => scaledUnsupported(s.Kw, m, rs === s.Kw ? 0 : rs) === undefined;
      const pick = chooseTile(tiles, s.Kw, s.Cg, Mg, target, { integer: "scaled", forced: options.winograd !== "auto", fits, fitsRule: "keeps 8-bit inputs within int16 after the input transform (segments: of m taps)" });
      ensure(!("why" in pick), () => ("why" in pick ? pick.why : ""));
      const { cost } = pick as Exclude<typeof pick, { why: string }>;
      const inputs = calibrationInputs(node.inputs[0]!);
      ensure(inputs !== undefined && inputs.length > 0, "no calibration input reached it (the scaled scheme picks its input scales on calibration data)");
      const segment = cost.S > 1 ? cost.rs : 0;
      const a = g.attrs<{ x_zero_point: number; pads?: number[] }>(node);
      const { S, n } = winogradPlan(s.Kw, cost.m, segment);
      const padBegin = a.pads?.[0] ?? 0, padEnd = a.pads?.[1] ?? 0;
      const hist = tapHistograms(inputs!, {
        m: cost.m, BT: integerTransforms(cost.m, cost.rs).BT, zeroPoint: a.x_zero_point, padBegin,
        tiles: (L) => Math.ceil((L + padBegin + padEnd - s.Kw + 1) / cost.m) + S - 1,
      });
      const w = g.constant(node.inputs[1]!)!.data as Int8Array;
      const unclipped = unclippedScales(hist);
      try {
        scaledWinogradPlan(w, s.M, s.Cg, s.group, s.Kw, cost.m, segment, unclipped);
      } catch (e) {
        ensure(false, (e as Error).message);
      }
      const layer = { w, M: s.M, Cg: s.Cg, group: s.group, r: s.Kw, m: cost.m, segment, zeroPoint: a.x_zero_point, pads: [padBegin, padEnd] as const };
      const { scales: inputScales, sqnrDb } = chooseInputScales(inputs!, layer, hist.map(chooseTapScale), unclipped);
      const asked = options.winograd === "auto" ? "" : " (the tile asked for)";
      return {
        why: `scaled integer ${label(cost)}${asked}: ${cost.S * n} int8 multiplies per ${cost.m} outputs where direct makes ${cost.m * s.Kw}; ` +
          `${cost.winograd.toFixed(1)} against direct's ${cost.direct.toFixed(1)} operations per output with the transforms ` +
          `(${s.Cg} input, ${Mg} output channels per group); transformed inputs requantized to int8 with scales ` +
          `[${inputScales.map((v) => v.toFixed(2)).join(", ")}] chosen on ${inputs!.length} calibration input${inputs!.length === 1 ? "" : "s"} ` +
          `(accumulator SQNR against direct there: ${sqnrDb.toFixed(1)} dB) ${where(target)}`,
        attrs: { ...node.attrs, m: cost.m, ...(segment ? { segment } : {}), input_scales: inputScales },
      };
    },
  });
}
