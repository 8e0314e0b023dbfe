// The algorithm of the float ConvTranspose: ConvTransposeCol2im, the reference kernel's own
// method (a GEMM into columns, then col2im scattering them onto the output) in C, for 1-D (the
// decoders of Conv-TasNet-style separators) and 2-D, constant or run-time weights. Its pads come
// from pads, auto_pad or output_shape; a length known only at run time with output_shape would
// make them depend on it, and is declined.
import { isSymbolic } from "../../ir/dim.js";
import { ensure } from "../patterns.js";
import { defineAlgorithmRule } from "./algorithm-rule.js";

export const convTransposeCol2im = defineAlgorithmRule({
  algorithm: "ConvTransposeCol2im",
  choose(node, g, target) {
    const x = g.type(node.inputs[0]!), w = g.type(node.inputs[1]!);
    ensure(x.dtype === "f32", `its input is ${x.dtype}; the C transposed convolution is float32`);
    const r = x.shape.length - 2;
    ensure(r === 1 || r === 2, `it is a ${r}-D transposed convolution; C is generated for 1-D and 2-D`);
    ensure(w.shape.slice(0, 2).every((d) => typeof d === "number"), "its weight shape is symbolic");
    const a = g.attrs<{ output_shape?: number[]; group: number }>(node);
    ensure(!(a.output_shape && x.shape.slice(2).some(isSymbolic)), "output_shape with an input length known only at run time would make its pads depend on the run");
    const [C, Mg] = w.shape as [number, number];
    const taps = (w.shape.slice(2) as number[]).reduce((p, k) => p * k, 1);
    const weights = g.isConstant(node.inputs[1]!) ? "constant weights transposed at compile time" : "weights computed at run time transposed into scratch";
    return `${r}-D, ${C / a.group} input channels per group: one GEMM per group makes the ${Mg * taps} columns ` +
      `(${Mg} output channels x ${taps} taps) of every input position (${weights}), then col2im adds them onto the output on ${target.name}`;
  },
});

export const convTransposeRules = [convTransposeCol2im];
