// Einsum (ONNX opset 12+): sums of products over labelled axes, as numpy.einsum: matrix and
// batched products ("bhtd,bhsd->bhts" in attention), transposes, traces and diagonals, sums, with
// "..." for broadcast dims and numpy's implicit output when there is no "->". The reference
// kernel accumulates in double and rounds once into the output type.
import type { DType } from "../../dtype.js";
import { mulDim, type Dim } from "../../dim.js";
import { defineOp, required, str } from "../../op.js";
import { fromNumbers, makeTensor, stridesOf, tensorType, toNumbers, type Tensor } from "../../types.js";
import { einsumKernel } from "../../kernels/einsum.js";
import { parseEinsum } from "./einsum-equation.js";

const EINSUM_TYPES: readonly DType[] = ["f32", "f64", "i32", "i64"];

function checkTypes(dts: readonly DType[]): DType {
  if (dts.length === 0) throw new Error("Einsum needs at least one input");
  const dt = dts[0]!;
  if (!EINSUM_TYPES.includes(dt)) throw new Error(`dtype ${dt} is not supported (expected one of ${EINSUM_TYPES.join(", ")})`);
  if (dts.some((d) => d !== dt)) throw new Error(`inputs must have the same dtype, got ${dts.join(" and ")}`);
  return dt;
}

export const Einsum = defineOp({
  name: "Einsum",
  doc: "Sums of products over labelled axes, as numpy.einsum (e.g. \"bij,bjk->bik\"; \"...\" broadcasts).",
  attrs: { equation: required(str()) },
  inputs: ["Inputs*"],
  outputs: ["Output"],
  dtypes: EINSUM_TYPES,
  infer(xs, a) {
    const ts = xs.map((t, k) => {
      if (!t) throw new Error(`input ${k} is missing`);
      return t;
    });
    const dt = checkTypes(ts.map((t) => t.dtype));
    const e = parseEinsum<Dim>(a.equation, ts.map((t) => t.shape));
    return [tensorType(dt, e.output.map((l) => e.sizes.get(l)!))];
  },
  evaluate(xs, a) {
    const ts = xs.map((t, k) => {
      if (!t) throw new Error(`input ${k} is missing`);
      return t;
    });
    const dt = checkTypes(ts.map((t) => t.dtype));
    const e = parseEinsum<number>(a.equation, ts.map((t) => t.shape));
    const labels = [...e.output, ...e.summed];
    const sizes = labels.map((l) => e.sizes.get(l)!);
    // An operand's step for a label: the sum of its strides on the axes with that label, 0 on
    // axes of size 1 that broadcast against a bigger label size.
    const strides = ts.map((t, k) => {
      const st = stridesOf(t.shape);
      return labels.map((l) => e.operands[k]!.reduce((s, own, axis) => (own === l && !(t.shape[axis] === 1 && e.sizes.get(l)! !== 1) ? s + st[axis]! : s), 0));
    });
    const shape = e.output.map((l) => e.sizes.get(l)!);
    const acc = new Float64Array(shape.reduce((p, d) => p * d, 1));
    const values = ts.map((t: Tensor) => (t.dtype === "i64" ? toNumbers(t) : (t.data as ArrayLike<number>)));
    einsumKernel(values, sizes, strides, e.output.length, acc);
    if (dt === "f32" || dt === "f64") {
      const y = makeTensor(dt, shape);
      (y.data as Float32Array).set(acc);
      return [y];
    }
    return [fromNumbers(dt, shape, Array.from(acc, Math.trunc))];
  },
  // Products of two or more operands: one multiply-add per combination of all labels.
  macs(inputs, _outputs, a) {
    if (inputs.length < 2 || inputs.some((t) => !t)) return 0;
    const e = parseEinsum<Dim>(a.equation, inputs.map((t) => t!.shape));
    let n: Dim = 1;
    for (const d of e.sizes.values()) n = mulDim(n, d);
    return n;
  },
});
