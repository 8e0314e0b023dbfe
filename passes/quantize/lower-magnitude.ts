// The magnitude of a spectrum, Sqrt(Add(Mul(re, re), Mul(im, im))), as one QMagnitude
// (ir/ops/integer/qmagnitude.ts) instead of QMul, QMul, QAdd and a Sqrt table. The squares and
// their sum are the power spectrum, whose dynamic range in dB is twice that of re and im: an
// 8-bit power zeroes the quiet bins, and what reads the magnitude then sees silence where the
// float model sees a low noise floor (a voice-activity detector's whole decision on quiet audio;
// docs/measurements/2026-12-07-int8-magnitude.md). QMagnitude keeps the power exact.
//
// The pattern is found before the lowering walks the nodes: the two Muls and the Add are held
// back until their Sqrt, which lowers the group in one node, or, when it cannot (no ranges, re
// and im on different scales), lowers them one by one as usual.
import type { Graph, Node } from "../../ir/graph.js";
import { quantizeMultiplier } from "../../ir/fixed-point.js";
import { MAX_MAGNITUDE_FRAC_BITS } from "../../ir/ops/integer/qmagnitude.js";
import type { Lowering } from "./lowering.js";
import { valueUses } from "./value-uses.js";

/** One magnitude pattern: the Sqrt, the nodes it absorbs, and the two halves. */
export interface MagnitudeGroup {
  readonly sqrt: Node;
  /** The two Muls and the Add, in graph order. */
  readonly members: readonly Node[];
  readonly re: string;
  readonly im: string;
}

/** Every Sqrt(Add(Mul(a, a), Mul(b, b))) of `g` whose squares and sum feed nothing else, by Sqrt node name. */
export function findMagnitudes(g: Graph): Map<string, MagnitudeGroup> {
  const { producer, only } = valueUses(g);
  const square = (v: string): { node: Node; of: string } | undefined => {
    const n = producer(v);
    return n && n.op === "Mul" && n.inputs.length === 2 && n.inputs[0] === n.inputs[1] && only(v) ? { node: n, of: n.inputs[0]! } : undefined;
  };
  const found = new Map<string, MagnitudeGroup>();
  for (const n of g.nodes) {
    if (n.op !== "Sqrt" || !only(n.inputs[0]!)) continue;
    const add = producer(n.inputs[0]!);
    if (!add || add.op !== "Add" || add.inputs.length !== 2) continue;
    const a = square(add.inputs[0]!), b = square(add.inputs[1]!);
    if (!a || !b || a.node === b.node) continue;
    found.set(n.name, { sqrt: n, members: [a.node, b.node, add].sort((x, y) => g.nodes.indexOf(x) - g.nodes.indexOf(y)), re: a.of, im: b.of });
  }
  return found;
}

/** Lowers the group to QMagnitude; returns why not (the group is then lowered node by node). */
export function lowerMagnitude(group: MagnitudeGroup, L: Lowering): string | undefined {
  const y = group.sqrt.outputs[0]!;
  if (L.source.types[y]?.dtype !== "f32") return `its output ${y} is not f32`;
  const p = L.paramsOf(y);
  if (!p) return `its output ${y} has no calibrated range`;
  const re = L.int(group.re), im = L.int(group.im);
  if (!re || !im) return "a half of the complex value has no calibrated range";
  if (re.params.scale !== im.params.scale) return `the real and imaginary halves have different scales (${re.params.scale} and ${im.params.scale})`;
  const frac = MAX_MAGNITUDE_FRAC_BITS;
  const m = quantizeMultiplier(re.params.scale / (2 ** frac * p.scale));
  const name = L.fresh(`${y}.q`);
  L.emit("QMagnitude", [re.name, im.name], {
    re_zero_point: re.params.zeroPoint, im_zero_point: im.params.zeroPoint, frac_bits: frac,
    multiplier: [m.multiplier], shift: [m.shift], rounding: L.options.rounding, y_zero_point: p.zeroPoint, out_dtype: "i8",
  }, [name], p);
  L.setInt(y, name, p);
  L.notes.set(group.sqrt.name, `QMagnitude of ${group.re} and ${group.im}: the power spectrum stays exact`);
  return undefined;
}
