// Variadic ops with numpy broadcasting across all inputs: Max, Min, Sum, Mean.
//
// They fold pairwise from the left, so f32 sums round after each addition, as the ONNX reference
// does; Mean divides the sum by the input count at the end.
import type { DType } from "../../dtype.js";
import { tensorFromF64 } from "../../float-formats.js";
import { defineOp } from "../../op.js";
import { tensorType, type Tensor } from "../../types.js";
import { arith, broadcastOf, checkDtype, FLOATS, NUMERIC, sameDtype, type ArithOp } from "./common.js";

function variadicOp(name: "Max" | "Min" | "Sum" | "Mean", doc: string, allowed: readonly DType[]) {
  const step: ArithOp = name === "Max" ? "Max" : name === "Min" ? "Min" : "Add";
  return defineOp({
    name,
    doc,
    attrs: {},
    inputs: ["data_0*"],
    outputs: [name.toLowerCase()],
    dtypes: allowed,
    infer: (inputs) => {
      if (inputs.length === 0) throw new Error(`${name}: needs at least one input`);
      const ts = inputs.map((t, i) => {
        if (!t) throw new Error(`${name}: input ${i} is missing`);
        return t;
      });
      const dt = sameDtype(name, ts);
      checkDtype(name, ts[0]!, allowed);
      return [tensorType(dt, broadcastOf(name, ts.map((t) => t.shape)))];
    },
    evaluate: (inputs) => {
      if (inputs.length === 0) throw new Error(`${name}: needs at least one input`);
      const ts = inputs.map((t, i) => {
        if (!t) throw new Error(`${name}: input ${i} is missing`);
        return t;
      });
      let acc: Tensor = ts[0]!;
      for (let i = 1; i < ts.length; i++) acc = arith(step, acc, ts[i]!);
      if (name === "Mean" && ts.length > 1) acc = arith("Div", acc, tensorFromF64(acc.dtype, [], [ts.length]));
      return [acc];
    },
  });
}

export const Max = variadicOp("Max", "Elementwise maximum of all inputs, broadcast together (NaN propagates).", NUMERIC);
export const Min = variadicOp("Min", "Elementwise minimum of all inputs, broadcast together (NaN propagates).", NUMERIC);
export const Sum = variadicOp("Sum", "Elementwise sum of all inputs, broadcast together.", FLOATS);
export const Mean = variadicOp("Mean", "Elementwise mean of all inputs, broadcast together.", FLOATS);

export const variadicOps = [Max, Min, Sum, Mean];
