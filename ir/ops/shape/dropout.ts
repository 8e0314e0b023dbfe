// Dropout. In inference it is the identity (mask all true). In training mode it zeroes each
// element with probability `ratio` and scales the rest by 1/(1-ratio), drawing the mask exactly
// as the ONNX reference does (numpy RandomState(seed).uniform), so seeded runs reproduce it.
//
// IR form: `ratio` and `training_mode` are attributes when the model gives constants (opset
// 12+ inputs, older attributes); a ratio or training_mode computed at run time stays an input.
// `mask_type` "input" marks the opset 7-9 mask, which has the input's dtype instead of bool.
import { isFloat } from "../../dtype.js";
import { tensorFromF64, tensorToF64 } from "../../float-formats.js";
import { defineOp, float, int, str, type OnnxExportContext, type OnnxExportNode, type OnnxImportContext, type OnnxNodeIn, type OnnxNodeOut } from "../../op.js";
import { fromNumbers, makeTensor, readNumber, tensorType, type Tensor } from "../../types.js";
import { MT19937 } from "../../kernels/mt19937.js";
import { input } from "./util.js";
import { dtypeToOnnx } from "../../onnx-dtypes.js";
import { hasAttr, passAttrs } from "../onnx-export.js";

function importDropout(node: OnnxNodeIn, ctx: OnnxImportContext) {
  const attrs: Record<string, OnnxNodeIn["attrs"][string]> = {};
  for (const [k, v] of Object.entries(node.attrs)) if (k !== "is_test") attrs[k] = v;
  if (ctx.opset < 10 && node.outputs.length > 1) attrs.mask_type = "input";
  const inputs = [node.inputs[0]!, "", ""];
  const fold = (i: number, key: string) => {
    const name = node.inputs[i];
    if (!name) return;
    const t = ctx.constant(name);
    if (t) attrs[key] = readNumber(t, 0);
    else inputs[i] = name;
  };
  fold(1, "ratio");
  fold(2, "training_mode");
  while (inputs.length > 1 && inputs[inputs.length - 1] === "") inputs.pop();
  return { inputs, outputs: node.outputs, attrs };
}

/** The dropout of x: output and bool mask (values as stored: 1 keeps, 0 drops). */
export function dropout(x: Tensor, ratio: number, training: boolean, seed: number | undefined): [Tensor, Uint8Array] {
  const n = x.data.length;
  const mask = new Uint8Array(n);
  if (!training || ratio === 0) {
    mask.fill(1);
    return [x, mask];
  }
  if (!(ratio >= 0 && ratio < 1)) throw new Error(`dropout ratio ${ratio} is not in [0, 1)`);
  if (!isFloat(x.dtype)) throw new Error(`training-mode dropout on ${x.dtype} data is not supported`);
  const rng = MT19937.fromSeed(seed ?? Math.floor(Math.random() * 0x100000000));
  // numpy computes mask * X * scale in the data's precision, scale rounded to it first. The
  // double product of two such values is exact, so one rounding on store gives the same result.
  const src = tensorToF64(x);
  const y = new Float64Array(n);
  const scale = tensorToF64(tensorFromF64(x.dtype, [], [1 / (1 - ratio)]))[0]!;
  for (let i = 0; i < n; i++) {
    const keep = rng.nextDouble() >= ratio ? 1 : 0;
    mask[i] = keep;
    y[i] = keep * src[i]! * scale;
  }
  return [tensorFromF64(x.dtype, x.shape, y), mask];
}

/** Opset 12+ form: constant ratio and training_mode inputs; the opset 7-9 mask is a Cast of the bool one. */
function exportDropout(node: OnnxExportNode, a: { ratio: number; training_mode: number; mask_type: string }, ctx: OnnxExportContext): OnnxNodeOut[] {
  const inputs = [node.inputs[0]!, node.inputs[1] ?? "", node.inputs[2] ?? ""];
  // f64 holds the IR's ratio exactly (ONNX allows any float type for it).
  if (!inputs[1] && hasAttr(node, "ratio")) inputs[1] = ctx.constant(fromNumbers("f64", [], [a.ratio]), `${node.name}.ratio`);
  if (!inputs[2] && hasAttr(node, "training_mode")) inputs[2] = ctx.constant(fromNumbers("bool", [], [a.training_mode ? 1 : 0]), `${node.name}.training_mode`);
  while (inputs.length > 1 && inputs[inputs.length - 1] === "") inputs.pop();
  const { attrs, floatAttrs } = passAttrs("Dropout", node, ["ratio", "training_mode", "mask_type"]);
  const mask = node.outputs[1];
  if (a.mask_type !== "input" || !mask) return [{ opType: "Dropout", name: node.name, inputs, outputs: node.outputs, attrs, floatAttrs }];
  const boolMask = ctx.fresh(`${mask}.bool`);
  return [
    { opType: "Dropout", name: node.name, inputs, outputs: [node.outputs[0]!, boolMask], attrs, floatAttrs },
    { opType: "Cast", name: ctx.fresh(`${node.name}.mask_cast`), inputs: [boolMask], outputs: [mask], attrs: { to: dtypeToOnnx(ctx.type(node.inputs[0]!).dtype) } },
  ];
}

export const Dropout = defineOp({
  name: "Dropout",
  doc: "Identity in inference; in training mode zeroes elements with probability `ratio` and rescales.",
  attrs: { ratio: float(0.5), training_mode: int(0), seed: int(), mask_type: str("bool") },
  inputs: ["x", "ratio?", "training_mode?"],
  outputs: ["y", "mask?"],
  fromOnnx: importDropout,
  toOnnx: exportDropout,
  infer: (xs, a, ctx) => {
    const x = input(xs, 0, "x");
    const out = [x];
    if (ctx.numOutputs > 1) out.push(tensorType(a.mask_type === "input" ? x.dtype : "bool", x.shape));
    return out;
  },
  evaluate: (xs, a, ctx) => {
    const x = input(xs, 0, "x");
    const ratio = xs[1] ? readNumber(xs[1], 0) : a.ratio;
    const training = xs[2] ? readNumber(xs[2], 0) !== 0 : a.training_mode !== 0;
    const [y, keep] = dropout(x, ratio, training, a.seed);
    if (ctx.numOutputs < 2) return [y];
    if (a.mask_type !== "input") return [y, makeTensor("bool", x.shape, keep)];
    const m = makeTensor(x.dtype, x.shape);
    (m.data as Float32Array).set(keep); // opset 7-9: 1/0 in the input's (float) dtype
    return [y, m];
  },
});
