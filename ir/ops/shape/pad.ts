// Pad: IR attributes `pads` (full rank, [begins..., ends...]), `mode` and `value` (the fill as a
// number, in the storage domain of the input: a quantized tensor pads with a stored integer).
// Opsets before 11 give pads/value as attributes; 11+ as inputs; 18 adds `axes`, which import
// expands into full-rank pads.
import { addDim } from "../../dim.js";
import { defineOp, float, ints, required, str, type OnnxImportContext, type OnnxNodeIn } from "../../op.js";
import { tensorToF64 } from "../../float-formats.js";
import { isPadMode, pad } from "../../kernels/pad.js";
import { storedValue } from "../../kernels/copy.js";
import { constantInts, input, needAtImport, quantThrough, safeInt, typeWith, withoutAttrs } from "./util.js";
import { tensorFromF64 } from "../../float-formats.js";
import { hasAttr, int64Input, passAttrs } from "../onnx-export.js";

function checkMode(mode: string) {
  if (!isPadMode(mode)) throw new Error(`pad mode "${mode}" is not one of constant, reflect, edge, wrap`);
  return mode;
}

function importPad(node: OnnxNodeIn, ctx: OnnxImportContext) {
  const x = node.inputs[0]!;
  if (ctx.opset < 11) {
    const pads = (node.attrs.pads ?? node.attrs.paddings) as readonly number[] | undefined;
    if (!pads) ctx.fail("it has no pads attribute");
    return { inputs: [x], outputs: node.outputs, attrs: { ...withoutAttrs(node.attrs, "paddings"), pads: pads.map(safeInt) } };
  }
  let pads = constantInts(node, 1, ctx, "pads") ?? ctx.fail("it has no pads input");
  const axes = constantInts(node, 3, ctx, "axes");
  if (axes) {
    const rank = ctx.type(x)?.shape.length ?? ctx.fail(`the rank of "${x}" is not known`);
    if (pads.length !== 2 * axes.length) ctx.fail(`pads has ${pads.length} values for ${axes.length} axes`);
    const full = new Array<number>(2 * rank).fill(0);
    axes.forEach((ax, i) => {
      const a = ax < 0 ? ax + rank : ax;
      if (a < 0 || a >= rank) ctx.fail(`pad axis ${ax} is out of range for rank ${rank}`);
      full[a] = pads[i]!;
      full[a + rank] = pads[i + axes.length]!;
    });
    pads = full;
  }
  const attrs: Record<string, unknown> = { ...node.attrs, pads };
  const valueName = node.inputs[2];
  if (valueName) {
    const v = ctx.constant(valueName) ?? needAtImport(ctx, valueName, "constant_value", `its constant_value input "${valueName}" is computed at run time; neonc needs it to be a constant`);
    if (v.data.length !== 1) ctx.fail(`its constant_value has ${v.data.length} elements, not 1`);
    if (v.dtype === "string") {
      if (v.data[0] !== "") ctx.fail("a non-empty string pad value is not supported");
    } else {
      attrs.value = tensorToF64(v)[0]!; // exact for every dtype but i64 beyond 2^53
    }
  }
  return { inputs: [x], outputs: node.outputs, attrs: attrs as OnnxNodeIn["attrs"] };
}

export const Pad = defineOp({
  name: "Pad",
  doc: "Pads (or, with negative pads, crops) each axis; modes constant, reflect, edge, wrap.",
  attrs: { pads: required(ints()), mode: str("constant"), value: float(0) },
  inputs: ["x"],
  outputs: ["y"],
  fromOnnx: importPad,
  toOnnx: (node, a, ctx) => {
    const x = node.inputs[0]!;
    const inputs = [x, int64Input(ctx, a.pads, `${node.name}.pads`)];
    // The value is in x's storage domain, so a tensor of x's dtype holds it exactly.
    if (hasAttr(node, "value")) inputs.push(ctx.constant(tensorFromF64(ctx.type(x).dtype, [], [a.value]), `${node.name}.value`));
    return [{ opType: "Pad", name: node.name, inputs, outputs: node.outputs, ...passAttrs("Pad", node, ["pads", "value"]) }];
  },
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    const r = x.shape.length;
    checkMode(a.mode);
    if (a.pads.length !== 2 * r) throw new Error(`pads has ${a.pads.length} values, a rank-${r} input needs ${2 * r}`);
    const shape = x.shape.map((d, k) => addDim(addDim(d, a.pads[k]!), a.pads[k + r]!));
    shape.forEach((d, k) => {
      if (typeof d === "number" && d < 0) throw new Error(`pads crop axis ${k} to a negative size`);
    });
    const q = quantThrough(x.quant, (ax) => (a.pads[ax] === 0 && a.pads[ax + r] === 0 ? ax : undefined));
    return [typeWith(x.dtype, shape, q)];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    return [pad(x, a.pads, checkMode(a.mode), storedValue(x.dtype, a.value))];
  },
});
