// A model with torch's export of squeeze(-1) on a run-time length: an If on Shape(x)[-1] == 1
// whose branches differ in rank (the Silero VAD exports have three), for the tests of the import
// option inputShapes and of --input-shape.
import { fromNumbers } from "../../ir/types.js";
import { buildModel } from "./onnx-builder.js";

/** y = sum(squeeze(x, -1) if x.shape[-1] == 1 else x) * g, as torch exports it; g is a value input. */
export function squeezeModel(): Uint8Array {
  return buildModel({
    opset: 13,
    inputs: [{ name: "x", shape: [1, "T"] }, { name: "w", shape: ["T"] }, { name: "g", shape: [1] }],
    outputs: [{ name: "y", shape: [] }],
    initializers: { last: fromNumbers("i64", [], [-1]), one: fromNumbers("i64", [], [1]), axes: fromNumbers("i64", [1], [-1]) },
    nodes: [
      { op: "Shape", inputs: ["x"], outputs: ["s"] },
      { op: "Gather", inputs: ["s", "last"], outputs: ["n"], attrs: { axis: 0 } },
      { op: "Equal", inputs: ["n", "one"], outputs: ["c"] },
      {
        op: "If", inputs: ["c"], outputs: ["z"], name: "squeeze_last",
        graphs: {
          then_branch: { outputs: [{ name: "a", shape: [1] }], nodes: [{ op: "Squeeze", inputs: ["x", "axes"], outputs: ["a"], name: "sq" }] },
          else_branch: { outputs: [{ name: "b", shape: [1, "T"] }], nodes: [{ op: "Mul", inputs: ["x", "w"], outputs: ["b"] }] },
        },
      },
      { op: "ReduceSum", inputs: ["z"], outputs: ["r"], attrs: { keepdims: 0 } },
      { op: "Mul", inputs: ["r", "g"], outputs: ["y0"] },
      { op: "Squeeze", inputs: ["y0"], outputs: ["y"] },
    ],
  });
}

