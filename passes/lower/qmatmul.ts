// The algorithms of the integer QMatMul, tried in this order:
//   QMatMulGemm     constant symmetric int8 w[K, N]: packed transposed at compile time, the rows
//                   of x are the GEMM's columns (int8/uint8 x: int32 sums; int16 x: int64)
//   QMatMulCentred  any other w (an activation, a zero point, uint8, batch dims): per batch both
//                   operands are centred into int16 at run time, then a GEMM with wrapping
//                   int32 sums (the interpreter's int32 accumulator)
// The data type of x (int8, uint8 or int16) is the emitter's business, not a choice here.
import type { Node } from "../../ir/graph.js";
import type { Target } from "../../ir/target.js";
import { dimToString } from "../../ir/dim.js";
import { ensure, type GraphView } from "../patterns.js";
import { defineAlgorithmRule } from "./algorithm-rule.js";

const OUTPUTS = ["i8", "u8", "i16"];
const where = (t: Target) => `on ${t.name}`;

function ensureOutput(node: Node, g: GraphView): void {
  const y = g.type(node.outputs[0]!).dtype;
  ensure(OUTPUTS.includes(y), `its output is ${y}; the C integer products write i8, u8 or i16`);
}

/** What keeps w from being packed at compile time (empty when it is a constant symmetric int8 [K, N], or int16 with int16 x). */
function runTimeW(node: Node, g: GraphView): string[] {
  const wN = node.inputs[1]!;
  const w = g.type(wN);
  const wzp = g.attrs<{ w_zero_point: number }>(node).w_zero_point;
  const why: string[] = [];
  if (!g.isConstant(wN)) why.push("w is computed at run time");
  // int16 w is packed too with int16 x (the 16x16 mode).
  if (w.dtype !== "i8" && !(w.dtype === "i16" && g.type(node.inputs[0]!).dtype === "i16")) why.push(`w is ${w.dtype}`);
  if (wzp !== 0) why.push(`w has zero point ${wzp}`);
  if (w.shape.length > 2) why.push(`w is batched [${w.shape.map(dimToString).join(", ")}]`);
  return why;
}

export const qmatmulGemm = defineAlgorithmRule({
  algorithm: "QMatMulGemm",
  choose(node, g, target) {
    const reasons = runTimeW(node, g);
    ensure(reasons.length === 0, () => `${reasons.join(", ")}: nothing to pack at compile time`);
    const x = g.type(node.inputs[0]!);
    ensure(["i8", "u8", "i16"].includes(x.dtype), `its input is ${x.dtype}; the packed GEMM takes i8, u8 or i16`);
    const b = node.inputs[2];
    ensure(!b || g.isConstant(b), "its bias is computed at run time (the C folds the zero-point correction into it at compile time)");
    ensure(!b || g.type(b).dtype === "i32", () => `its bias is ${g.type(b!).dtype}, not i32`);
    ensureOutput(node, g);
    const [K, N] = g.type(node.inputs[1]!).shape as [number, number];
    const w16 = g.type(node.inputs[1]!).dtype === "i16";
    const sums = w16 ? "the wide GEMM with int64 sums (int16 x and w, the 16x16 mode)" : x.dtype === "i16" ? "the wide GEMM with int64 sums (int16 x, the 16x8 mode)" : "the int8 GEMM with int32 sums";
    return `constant symmetric ${w16 ? "int16" : "int8"} w [${K}, ${N}]: packed transposed at compile time (with the zero-point correction in the bias), ` +
      `every row of x is a column of ${sums} ${where(target)}`;
  },
});

export const qmatmulCentred = defineAlgorithmRule({
  algorithm: "QMatMulCentred",
  choose(node, g, target) {
    const x = g.type(node.inputs[0]!), w = g.type(node.inputs[1]!);
    ensure(x.dtype !== "i16", "its input is int16 (the 16x8 mode), which takes constant symmetric int8 weights only");
    ensure(x.dtype === "i8" || x.dtype === "u8", `its input is ${x.dtype}; the centred product takes i8 or u8`);
    ensure(w.dtype === "i8" || w.dtype === "u8", `w is ${w.dtype}; the centred product takes i8 or u8`);
    const b = node.inputs[2];
    ensure(!b || g.type(b).dtype === "i32", () => `its bias is ${g.type(b!).dtype}, not i32`);
    ensureOutput(node, g);
    const N = w.shape.at(-1)!;
    const a = g.attrs<{ multiplier: number[] }>(node);
    ensure(a.multiplier.length <= 1 || typeof N === "number", "a per-column requantization needs a static number of columns");
    const reasons = runTimeW(node, g);
    const because = reasons.length > 0 ? reasons.join(", ") : "its bias is computed at run time";
    return `${because}: ${w.shape.length > 2 ? "per batch, " : ""}x - x_zp and w - w_zp (transposed) are centred into int16 scratch at run time ` +
      `and multiplied with wrapping int32 sums, as the interpreter's int32 accumulator ${where(target)}`;
  },
});

export const qmatmulRules = [qmatmulGemm, qmatmulCentred];
