// The integer Winograd rule of the lower stage: a 1-D QConv of stride 1 and dilation 1 with int8
// or uint8 activations and constant weights becomes QConvWinograd (ir/ops/lowered/
// qconv-winograd.ts, the exact scheme: integer-scaled transforms, bit-exact with direct) when
// asked for (lower{winograd=...}, the winograd pass, `--winograd` with `--int8`) and the cost model
// (winograd-cost.ts, integer: int16 tap GEMMs, and direct int8 with sdot on +dotprod) says it pays.
// Only forms whose transformed operands stay within int16 are candidates; no error limit applies,
// the result being exact.
import type { Target } from "../../ir/target.js";
import type { Node } from "../../ir/graph.js";
import { ensure, type GraphView } from "../patterns.js";
import { defineAlgorithmRule, type LowerOptions } from "./algorithm-rule.js";
import { integerConv, type QConvShape } from "./qconv.js";
import { AUTO_TILES, chooseTile, integerFits, label } from "./winograd-cost.js";

const where = (t: Target) => `on ${t.name}`;

/** A QConv either integer Winograd scheme may take (declines otherwise), and the tiles to try. */
export function integerWinogradCandidate(node: Node, g: GraphView, options: LowerOptions): { s: QConvShape; Mg: number; tiles: readonly number[] } {
  const s = integerConv(node, g);
  ensure(s.x !== "i16", "its input is int16 (the 16x8 mode); integer Winograd takes 8-bit activations");
  ensure(s.stride === 1, () => `its stride is ${s.stride}; Winograd tiles need stride 1`);
  ensure(s.dilation === 1, () => `its dilation is ${s.dilation}; Winograd tiles need dilation 1`);
  ensure(s.Kw > 1, "it has one tap (pointwise): nothing to save");
  return { s, Mg: s.M / s.group, tiles: options.winograd === "auto" ? AUTO_TILES : [Number(options.winograd)] };
}

export const qconvWinograd = defineAlgorithmRule({
  algorithm: "QConvWinograd",
  enabled: (options) => options.winograd !== "off",
  choose(node, g, target, options) {
    const { s, Mg, tiles } = integerWinogradCandidate(node, g, options);
    const pick = chooseTile(tiles, s.Kw, s.Cg, Mg, target, { integer: "exact", forced: options.winograd !== "auto", fits: integerFits, fitsRule: "keeps its transformed operands within int16" });
    ensure(!("why" in pick), () => ("why" in pick ? pick.why : ""));
    const { cost } = pick as Exclude<typeof pick, { why: string }>;
    const n = cost.m + cost.rs - 1;
    const asked = options.winograd === "auto" ? "" : " (the tile asked for)";
    return {
      why: `integer-exact ${label(cost)}${asked}: ${cost.S * n} multiplies per ${cost.m} outputs where direct makes ${cost.m * s.Kw}; ` +
        `${cost.winograd.toFixed(1)} against direct's ${cost.direct.toFixed(1)} operations per output with the transforms ` +
        `(${s.Cg} input, ${Mg} output channels per group); int16 transformed operands, the same accumulator as direct bit for bit ${where(target)}`,
      attrs: { ...node.attrs, m: cost.m, ...(cost.S > 1 ? { segment: cost.rs } : {}) },
    };
  },
});
