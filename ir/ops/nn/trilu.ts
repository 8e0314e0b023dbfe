// Trilu: keeps the upper (upper=1) or lower triangle of the last two axes and zeroes the rest
// (ONNX opset 14+); diagonal k shifts it (k > 0 above the main diagonal). The causal attention
// mask of a streaming transformer, torch.triu(ones(T, T), 1), exports as Trilu on a [T, T]
// tensor. ONNX takes k as an input; the IR needs it at import and keeps it as the `k` attribute.
import { defineOp, int } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import { need, needTensor } from "./common.js";
import { constantInts } from "../shape/util.js";

export const Trilu = defineOp({
  name: "Trilu",
  doc: "Keeps the upper (upper=1) or lower triangle of the last two axes, shifted by diagonal k; zeroes the rest.",
  attrs: { upper: int(1), k: int(0) },
  inputs: ["input"],
  outputs: ["output"],
  infer([xt]) {
    const x = need(xt, "input");
    if (x.shape.length < 2) throw new Error(`input must have rank 2 or more, got rank ${x.shape.length}`);
    return [tensorType(x.dtype, x.shape)];
  },
  evaluate([xt], a) {
    const x = needTensor(xt, "input");
    const r = x.shape.length;
    const rows = x.shape[r - 2]!, cols = x.shape[r - 1]!;
    const y = makeTensor(x.dtype, x.shape);
    const src = x.data as { [i: number]: unknown; length: number }, dst = y.data as { [i: number]: unknown };
    const zero = x.dtype === "i64" || x.dtype === "u64" ? 0n : x.dtype === "string" ? "" : 0;
    const mats = rows * cols === 0 ? 0 : src.length / (rows * cols);
    for (let m = 0, at = 0; m < mats; m++) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++, at++) {
          const keep = a.upper ? j - i >= a.k : j - i <= a.k;
          dst[at] = keep ? src[at] : zero;
        }
      }
    }
    return [y];
  },
  fromOnnx(node, ctx) {
    const k = constantInts(node, 1, ctx, "k");
    if (k && k.length !== 1) ctx.fail(`its k input must hold one value, got [${k.join(",")}]`);
    return { inputs: [node.inputs[0]!], outputs: node.outputs, attrs: { ...node.attrs, ...(k ? { k: k[0]! } : {}) } };
  },
  toOnnx: (node, a, ctx) => [{
    opType: "Trilu", name: node.name, outputs: node.outputs,
    inputs: a.k ? [node.inputs[0]!, ctx.constant(makeTensor("i64", [], BigInt64Array.of(BigInt(a.k))), `${node.name}.k`)] : [node.inputs[0]!],
    attrs: node.attrs?.upper !== undefined ? { upper: a.upper } : ({} as Record<string, number>),
  }],
});
