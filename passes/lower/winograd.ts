// The Winograd rule of the lower stage: a float 1-D Conv of stride 1 and dilation 1 with constant
// weights becomes ConvWinograd (ir/ops/lowered/conv-winograd.ts) when asked for
// (lower{winograd=auto|2|4|6}, the winograd pass, `--winograd`) and the cost model
// (winograd-cost.ts) says it pays on the target within the fp32 error allowed. Tried before the
// direct algorithms, which take every conv it declines.
import type { Target } from "../../ir/target.js";
import { ensure } from "../patterns.js";
import { defineAlgorithmRule } from "./algorithm-rule.js";
import { chosen, floatConv } from "./conv.js";
import { AUTO_TILES, chooseTile, label, winogradTolerance } from "./winograd-cost.js";

const where = (t: Target) => `on ${t.name}`;

export const convWinograd = defineAlgorithmRule({
  algorithm: "ConvWinograd",
  enabled: (options) => options.winograd !== "off",
  choose(node, g, target, options) {
    const s = floatConv(node, g);
    ensure(s.rank === 1, "it is 2-D; Winograd is generated for 1-D convolutions");
    ensure(s.strides[0] === 1, () => `its stride is ${s.strides[0]}; Winograd tiles need stride 1`);
    ensure(s.dilations[0] === 1, () => `its dilation is ${s.dilations[0]}; Winograd tiles need dilation 1`);
    ensure(!s.runtimePads, "its pads are computed at run time");
    const r = s.kernel[0]!;
    ensure(r > 1, "it has one tap (pointwise): nothing to save");
    const Cg = s.C / s.group, Mg = s.M / s.group;
    const tiles = options.winograd === "auto" ? AUTO_TILES : [Number(options.winograd)];
    const pick = chooseTile(tiles, r, Cg, Mg, target, { forced: options.winograd !== "auto" });
    ensure(!("why" in pick), () => ("why" in pick ? pick.why : ""));
    const { cost } = pick as Exclude<typeof pick, { why: string }>;
    const n = cost.m + cost.rs - 1;
    const asked = options.winograd === "auto" ? "" : " (the tile asked for)";
    const c = chosen(s, `${label(cost)}${asked}: ${cost.S * n} multiplies per ${cost.m} outputs where direct makes ${cost.m * r}; ` +
      `${cost.winograd.toFixed(1)} against direct's ${cost.direct.toFixed(1)} operations per output with the transforms ` +
      `(${Cg} input, ${Mg} output channels per group); fp32 error at most ${cost.amplification.toFixed(1)}x direct's, ` +
      `tolerance ${winogradTolerance(cost.m, cost.rs).toExponential(1)} of max |output| ${where(target)}`);
    return { why: c.why, attrs: { ...c.attrs, m: cost.m, ...(cost.S > 1 ? { segment: cost.rs } : {}) } };
  },
});
