// Transpose: permutes axes (default: reverses them). Per-channel quantization follows its axis.
import { defineOp, ints } from "../../op.js";
import { transpose } from "../../kernels/transpose.js";
import { input, quantThrough, typeWith } from "./util.js";

/** The permutation to use for a rank, checked to be one. */
export function checkPerm(perm: readonly number[] | undefined, rank: number): number[] {
  if (!perm) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank) throw new Error(`perm [${perm.join(",")}] has ${perm.length} entries for a rank-${rank} input`);
  const seen = new Array<boolean>(rank).fill(false);
  return perm.map((p) => {
    const a = p < 0 ? p + rank : p;
    if (!Number.isInteger(a) || a < 0 || a >= rank || seen[a]) throw new Error(`perm [${perm.join(",")}] is not a permutation of 0..${rank - 1}`);
    seen[a] = true;
    return a;
  });
}

export const Transpose = defineOp({
  name: "Transpose",
  traits: { int8PassThrough: true, movesData: true },
  doc: "Permutes the axes of a tensor by `perm` (default: reversed).",
  attrs: { perm: ints() },
  inputs: ["x"],
  outputs: ["y"],
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    const p = checkPerm(a.perm, x.shape.length);
    return [typeWith(x.dtype, p.map((i) => x.shape[i]!), quantThrough(x.quant, (ax) => p.indexOf(ax)))];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    return [transpose(x, checkPerm(a.perm, x.shape.length))];
  },
});
