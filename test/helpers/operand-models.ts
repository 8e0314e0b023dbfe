// A model whose Reshape target is computed from a graph input and from another input's shape:
// shape = Concat(Gather(Shape(x), 0), Cast(n to int64)). Only n feeds the operand's values (x
// reaches it through Shape, which reads its shape only), so only n is bound at import.
import { fromNumbers } from "../../ir/types.js";
import { buildModel } from "./onnx-builder.js";

export function reshapeFromInput(): Uint8Array {
  return buildModel({
    opset: 17,
    inputs: [{ name: "x", shape: [2, 6] }, { name: "n", dtype: "i32", shape: [2] }],
    outputs: [{ name: "y", shape: [2, 2, 3] }],
    initializers: { first: fromNumbers("i64", [1], [0]) },
    nodes: [
      { op: "Shape", inputs: ["x"], outputs: ["sx"], name: "shape_x" },
      { op: "Gather", inputs: ["sx", "first"], outputs: ["rows"], attrs: { axis: 0 }, name: "rows" },
      { op: "Cast", inputs: ["n"], outputs: ["n64"], attrs: { to: 7 }, name: "cast_n" },
      { op: "Concat", inputs: ["rows", "n64"], outputs: ["target"], attrs: { axis: 0 }, name: "target" },
      { op: "Reshape", inputs: ["x", "target"], outputs: ["y"], name: "r" },
    ],
  });
}
