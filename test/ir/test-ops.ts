// Test-only op definitions with names no real op uses, so the text-format and verifier tests do
// not depend on which real ops other engineers have registered yet.
import { defineOp, dims, float, int, ints, floats, required, str, strs, tensorAttr, type OpDef } from "../../ir/op.js";
import { findOp, registerOp } from "../../ir/registry.js";
import { broadcastDims, normAxis } from "../../ir/shape-util.js";
import { addDim, type Dim } from "../../ir/dim.js";
import { makeTensor, tensorType, type TensorType } from "../../ir/types.js";

const need = (t: TensorType | undefined, what: string): TensorType => {
  if (!t) throw new Error(`input ${what} is missing`);
  return t;
};

/** y = x, with a float and an int attribute. */
export const TestUnary = defineOp({
  name: "TestUnary",
  doc: "Identity with attributes (test only).",
  attrs: { alpha: float(0.5), axis: int(1) },
  inputs: ["x"],
  outputs: ["y"],
  infer: ([x]) => [tensorType(need(x, "x").dtype, need(x, "x").shape)],
  evaluate: ([x]) => [x!],
});

/** Broadcasting binary op with an optional third input. */
export const TestBinary = defineOp({
  name: "TestBinary",
  doc: "Broadcasting a + b (test only).",
  attrs: {},
  inputs: ["a", "b", "c?"],
  outputs: ["y"],
  infer: ([a, b]) => {
    const x = need(a, "a"), y = need(b, "b");
    if (x.dtype !== y.dtype) throw new Error(`a is ${x.dtype} but b is ${y.dtype}`);
    return [tensorType(x.dtype, broadcastDims(x.shape, y.shape))];
  },
  evaluate: ([a]) => [a!],
});

/** Concatenation of any number of inputs along `axis`. */
export const TestConcat = defineOp({
  name: "TestConcat",
  doc: "Concat (test only).",
  attrs: { axis: required(int()) },
  inputs: ["xs*"],
  outputs: ["y"],
  infer: (xs, a) => {
    const ts = xs.map((t, i) => need(t, `xs[${i}]`));
    const ax = normAxis(a.axis, ts[0]!.shape.length);
    const shape = [...ts[0]!.shape];
    shape[ax] = ts.slice(1).reduce((acc: Dim, t) => addDim(acc, t.shape[ax]!), shape[ax]!);
    return [tensorType(ts[0]!.dtype, shape)];
  },
  evaluate: ([x]) => [x!],
});

/** Splits axis 0 into numOutputs equal parts; the second output slot is optional. */
export const TestSplit = defineOp({
  name: "TestSplit",
  doc: "Split (test only).",
  attrs: {},
  inputs: ["x"],
  outputs: ["ys*"],
  infer: ([x], _a, ctx) => {
    const t = need(x, "x");
    const d0 = t.shape[0]!;
    if (typeof d0 !== "number" || d0 % ctx.numOutputs !== 0) throw new Error("axis 0 does not split evenly");
    return Array.from({ length: ctx.numOutputs }, () => tensorType(t.dtype, [d0 / ctx.numOutputs, ...t.shape.slice(1)]));
  },
  evaluate: ([x]) => [x!],
});

/** y and an optional mask output. */
export const TestMask = defineOp({
  name: "TestMask",
  doc: "Dropout-like (test only).",
  attrs: {},
  inputs: ["x"],
  outputs: ["y", "mask?"],
  infer: ([x]) => [need(x, "x"), tensorType("bool", need(x, "x").shape)],
  evaluate: ([x]) => [x!, makeTensor("bool", x!.shape)],
});

/** Every attribute kind, for printing and verifier kind checks; output is input 0. */
export const TestAttrs = defineOp({
  name: "TestAttrs",
  doc: "All attribute kinds (test only).",
  attrs: {
    i: int(), f: float(), is: ints(), fs: floats(), s: str(), ss: strs(), t: tensorAttr(), d: dims(),
  },
  inputs: ["x"],
  outputs: ["y"],
  infer: ([x]) => [need(x, "x")],
  evaluate: ([x]) => [x!],
});

/** Reads its second input's constant value to decide the output shape (like Reshape's input). */
export const TestReshape = defineOp({
  name: "TestReshape",
  doc: "Reshape to a constant shape input (test only).",
  attrs: {},
  inputs: ["x", "shape"],
  outputs: ["y"],
  infer: ([x], _a, ctx) => {
    const s = ctx.constant(1);
    if (!s) throw new Error("the shape input is not a constant");
    return [tensorType(need(x, "x").dtype, Array.from(s.data as BigInt64Array, Number))];
  },
  evaluate: ([x]) => [x!],
});

const ALL: OpDef<any>[] = [TestUnary, TestBinary, TestConcat, TestSplit, TestMask, TestAttrs, TestReshape];
for (const def of ALL) if (!findOp(def.name)) registerOp(def);
