// ONNX export of single ops: every op with a `toOnnx` hook (its IR form differs from ONNX opset
// 21) and a sample of ops without one. Each graph is exported, then
//   1. imported again: the same IR (textual form, provenance ignored), where the IR form has an
//      exact ONNX spelling; translated forms (Softmax flatten=1, per-group GroupNormalization,
//      the opset 7-9 Dropout mask, fused activations) import as other ops, and all-constant
//      nodes fold at import, so those are checked by numbers only;
//   2. run in onnxruntime-node: the interpreter's outputs within 1e-5 relative (integers exact).
// Symbolic dims run with T = 5.
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { evalDim } from "../../../ir/dim.js";
import type { DType } from "../../../ir/dtype.js";
import type { Graph } from "../../../ir/graph.js";
import { parseGraph, printGraph } from "../../../ir/text/index.js";
import { fromNumbers, numel, type Tensor } from "../../../ir/types.js";
import { exportOnnx } from "../../../src/adapters/onnx/export.js";
import { decodeModel, importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { runPipeline } from "../../../passes/index.js";
import { buildModel, type ModelSpec } from "../../helpers/onnx-builder.js";
import { compareTensors } from "../../../src/testing/index.js";

const ENV = { T: 5 };

/** Textual IR without the provenance line (the opset and producer change on export). */
function text(g: Graph): string {
  return printGraph({ ...g, meta: undefined });
}

/** Deterministic inputs for the graph's inputs (symbols bound by ENV). */
function inputsFor(g: Graph): Record<string, Tensor> {
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const out: Record<string, Tensor> = {};
  for (const name of g.inputs) {
    const t = g.types[name]!;
    const shape = t.shape.map((d) => evalDim(d, ENV));
    const n = numel(shape);
    const values = Array.from({ length: n }, () => (t.dtype === "bool" ? (next() < 0.5 ? 0 : 1) : t.dtype.startsWith("f") ? next() * 4 - 2 : Math.floor(next() * 7) - 3));
    out[name] = fromNumbers(t.dtype, shape, values);
  }
  return out;
}

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  f32: "float32", f64: "float64", i8: "int8", u8: "uint8", i16: "int16", u16: "uint16", i32: "int32", i64: "int64", bool: "bool",
};

async function runOrt(bytes: Uint8Array, inputs: Record<string, Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(inputs)) {
      const type = ORT_TYPES[t.dtype];
      if (!type) throw new Error(`no onnxruntime type for ${t.dtype}`);
      feeds[k] = new ort.Tensor(type, t.data as ort.Tensor.DataType, [...t.shape]);
    }
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Expects b (onnxruntime) to equal a (interpreter): same shape and dtype, floats within 1e-5 of max |a|. */
function expectClose(name: string, a: Tensor, b: ort.Tensor): void {
  expect([...b.dims], `${name} shape`).toEqual(a.shape);
  expect(ORT_TYPES[a.dtype], `${name} dtype`).toBe(b.type);
  const theirs = fromNumbers(a.dtype, a.shape, Array.from(b.data as ArrayLike<number | bigint>, Number));
  const why = compareTensors(a, theirs, a.dtype.startsWith("f") ? { relToMax: 1e-5 } : "exact");
  expect(why, name).toBeUndefined();
}

interface Case {
  name: string;
  /** The graph as IR text, or as an ONNX model to import. */
  ir: string | ModelSpec;
  /** False for IR forms that ONNX spells with other ops (checked by numbers only). */
  sameIr?: boolean;
  /** Op types the exported ONNX graph must (not) contain, e.g. "!Flatten". */
  onnxOps?: string[];
  /**
   * The re-imported graph computes the same numbers bit for bit (default), or within 1e-6 of them
   * where the export splits one rounding into several (Swish as Sigmoid then Mul).
   */
  reimport?: "exact" | "close";
}

async function checkCase(c: Case): Promise<void> {
  const g = typeof c.ir === "string" ? parseGraph(c.ir) : importOnnxBytes(buildModel(c.ir), `${c.name}.source.onnx`);
  const bytes = exportOnnx(g);
  const back = importOnnxBytes(bytes, `${c.name}.onnx`);
  if (c.sameIr !== false) expect(text(back)).toBe(text(g));
  const ops = new Set((decodeModel(bytes, c.name).graph?.node ?? []).map((n) => n.opType ?? ""));
  for (const o of c.onnxOps ?? []) {
    if (o.startsWith("!")) expect(ops.has(o.slice(1)), `exported ops ${[...ops].join(",")} contain ${o.slice(1)}`).toBe(false);
    else expect(ops.has(o), `exported ops ${[...ops].join(",")} lack ${o}`).toBe(true);
  }
  const inputs = inputsFor(g);
  const ours = runGraph(g, inputs);
  const theirs = await runOrt(bytes, inputs);
  const again = runGraph(back, inputs);
  for (const o of g.outputs) {
    expectClose(`${c.name}/${o} (onnxruntime)`, ours[o]!, theirs[o]!);
    const a = Array.from(again[o]!.data as ArrayLike<number | bigint>, Number), b = Array.from(ours[o]!.data as ArrayLike<number | bigint>, Number);
    if (c.reimport === "close") a.forEach((v, i) => expect(Math.abs(v - b[i]!), `${o}[${i}] after re-import`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b[i]!))));
    else expect(a, `${o} after re-import`).toEqual(b);
  }
}

function cases(title: string, list: Case[]): void {
  describe(title, () => {
    for (const c of list) it(c.name, () => checkCase(c));
  });
}

cases("shape ops with export hooks", [
  { name: "Reshape to constants", ir: `graph @g(%x: f32[2,3,4]) -> (%y) { %y = Reshape(%x) {shape=[4,-1]} }`, onnxOps: ["Reshape", "!Shape"] },
  { name: "Reshape with allowzero", ir: `graph @g(%x: f32[2,3,4]) -> (%y) { %y = Reshape(%x) {allowzero=1, shape=[6,4]} }` },
  { name: "Reshape to [T,-1] computes T from its input", ir: `graph @g(%x: f32[1,T,4]) -> (%y) { %y = Reshape(%x) {shape=[T,-1]} }`, onnxOps: ["Shape", "Concat"] },
  {
    name: "Slice ending at T-1, with steps and no axes",
    ir: `graph @g(%x: f32[2,T,3]) -> (%y, %z) {
      %y = Slice(%x) {axes=[1], ends=[T-1], starts=[1]}
      %z = Slice(%x) {ends=[9007199254740991, 0, 3], starts=[0, -1, 0], steps=[1, -1, 2]}
    }`,
    onnxOps: ["Shape", "Add"],
  },
  {
    name: "Slice bounds beyond int64 are clamped, not wrapped",
    ir: `graph @g(%x: f32[2,3]) -> (%y) { %y = Slice(%x) {ends=[1.0e30, -1.0e30], starts=[-1.0e30, 2], steps=[1, -1]} }`,
    sameIr: false,
  },
  {
    name: "Expand to [T,1,4] takes T from another graph input",
    ir: `graph @g(%x: f32[1,1,4], %s: f32[T]) -> (%y, %z) {
      %y = Expand(%x) {shape=[T,1,4]}
      %z = Neg(%s)
    }`,
  },
  {
    name: "ConstantOfShape of floor((T+1)/2) and 2*T+1",
    ir: `graph @g(%s: f32[T]) -> (%a, %b) {
      %a = ConstantOfShape() {shape=[floor((T+1)/2), 3], value=f32[1] [1.5]}
      %b = ConstantOfShape() {shape=[2, 2*T+1], value=i64[1] [7]}
    }`,
    onnxOps: ["Div", "Mul"],
  },
  {
    name: "ConstantOfShape of a static shape (folded to a constant at import)",
    ir: `graph @g(%s: f32[T]) -> (%c) { %c = ConstantOfShape() {shape=[3, 2]} }`,
    sameIr: false,
  },
  {
    name: "Squeeze and Unsqueeze with axes as inputs",
    ir: `graph @g(%x: f32[1,3,1,2]) -> (%a, %b, %c) {
      %a = Squeeze(%x) {axes=[0, -2]}
      %b = Squeeze(%x)
      %c = Unsqueeze(%x) {axes=[0, 5]}
    }`,
  },
  {
    name: "Squeeze with an empty axes list keeps every axis (onnxruntime would drop the 1s)",
    ir: `graph @g(%x: f32[1,3,1]) -> (%y) { %y = Squeeze(%x) {axes=[]} }`,
    sameIr: false,
    onnxOps: ["!Squeeze"],
  },
  {
    name: "Split with sizes and into equal chunks (num_outputs)",
    ir: `graph @g(%x: f32[2,5]) -> (%a, %b, %c, %d, %e) {
      %a, %b = Split(%x) {axis=1, split=[1, 4]}
      %c, %d, %e = Split(%x) {axis=1}
    }`,
  },
  {
    name: "Pad: constant value in the input's dtype, reflect, edge, wrap",
    ir: `graph @g(%x: f32[2,3], %i: i32[2,3]) -> (%a, %b, %c, %d, %e, %f) {
      %a = Pad(%x) {pads=[1, 0, 0, 2], value=1.5}
      %b = Pad(%x) {mode="reflect", pads=[0, 1, 0, 2]}
      %c = Pad(%x) {mode="edge", pads=[1, 1, 1, 1]}
      %d = Pad(%x) {mode="wrap", pads=[0, 2, 0, 1]}
      %e = Pad(%i) {pads=[0, 1, 1, 0], value=-7.0}
      %f = Pad(%x) {pads=[0, -1, 0, 1]}
    }`,
  },
  { name: "Tile", ir: `graph @g(%x: f32[2,3]) -> (%y) { %y = Tile(%x) {repeats=[2, 3]} }` },
  {
    name: "Range with a symbolic size",
    ir: `graph @g(%x: f32[2,T]) -> (%r) {
      %zero = const i64[] [0]
      %one = const i64[] [1]
      %s = Shape(%x) {end=2, start=1}
      %l = Squeeze(%s) {axes=[0]}
      %r = Range(%zero, %l, %one) {size=[T]}
    }`,
  },
  {
    name: "Dropout in inference with ratio and training_mode as inputs",
    ir: `graph @g(%x: f32[2,3]) -> (%y, %m, %z) {
      %y, %m = Dropout(%x) {ratio=0.1}
      %z = Dropout(%x) {ratio=0.25, training_mode=0}
    }`,
  },
  {
    name: "Dropout with the opset 7-9 mask in the input's dtype",
    ir: `graph @g(%x: f32[2,3]) -> (%y, %m) { %y, %m = Dropout(%x) {mask_type="input"} }`,
    sameIr: false,
    onnxOps: ["Dropout", "Cast"],
  },
]);

cases("shape ops without hooks", [
  {
    name: "Transpose, Concat, Gather, Flatten, Shape, Size, Identity",
    ir: `graph @g(%x: f32[2,T,4], %i: i64[2]) -> (%t, %c, %g, %f, %s, %n, %d) {
      %t = Transpose(%x) {perm=[2, 0, 1]}
      %c = Concat(%x, %x) {axis=-1}
      %g = Gather(%x, %i) {axis=1}
      %f = Flatten(%x) {axis=2}
      %s = Shape(%x) {start=1}
      %n = Size(%x)
      %d = Identity(%x)
    }`,
  },
]);

cases("nn ops", [
  {
    name: "Softmax and LogSoftmax along one axis",
    ir: `graph @g(%x: f32[2,3,4]) -> (%a, %b) {
      %a = Softmax(%x) {axis=1}
      %b = LogSoftmax(%x) {axis=-1}
    }`,
  },
  {
    name: "Softmax flatten=1 (opset < 13) becomes Flatten, Softmax, Reshape",
    ir: `graph @g(%x: f32[2,T,4]) -> (%a, %b) {
      %a = Softmax(%x) {axis=1, flatten=1}
      %b = LogSoftmax(%x) {axis=0, flatten=1}
    }`,
    sameIr: false,
    onnxOps: ["Flatten", "Reshape"],
  },
  {
    name: "Softmax flatten=1 on the last axis is the plain op",
    ir: `graph @g(%x: f32[2,3,4]) -> (%a) { %a = Softmax(%x) {axis=2, flatten=1} }`,
    sameIr: false,
    onnxOps: ["!Flatten"],
  },
  {
    name: "Reductions with axes as inputs",
    ir: `graph @g(%x: f32[2,3,4]) -> (%a, %b, %c, %d, %e, %f, %g) {
      %a = ReduceMean(%x) {axes=[1], keepdims=0}
      %b = ReduceSum(%x) {axes=[0, -1]}
      %c = ReduceMax(%x)
      %d = ReduceL2(%x) {axes=[2]}
      %e = ReduceLogSumExp(%x) {axes=[1, 2], keepdims=0}
      %f = ReduceMean(%x) {noop_with_empty_axes=1}
      %g = ReduceSum(%x) {axes=[]}
    }`,
  },
  {
    name: "GroupNormalization per channel (opset 21 form)",
    ir: `graph @g(%x: f32[2,4,3]) -> (%y) {
      %s = const f32[4] [1, 2, 0.5, -1]
      %b = const f32[4] [0, 0.25, -0.5, 1]
      %y = GroupNormalization(%x, %s, %b) {epsilon=0.0009765625, num_groups=2, per_channel=1}
    }`,
  },
  {
    name: "GroupNormalization per group (opset 18 form) repeats scale and bias per channel",
    ir: `graph @g(%x: f32[2,4,3]) -> (%y) {
      %s = const f32[2] [1.5, -0.5]
      %b = const f32[2] [0.25, 2]
      %y = GroupNormalization(%x, %s, %b) {num_groups=2, per_channel=0}
    }`,
    sameIr: false,
    onnxOps: ["Expand"],
  },
  {
    name: "BatchNormalization in inference",
    ir: `graph @g(%x: f32[2,3,4]) -> (%y) {
      %s = const f32[3] [1, 2, 3]
      %b = const f32[3] [0.5, 0, -1]
      %m = const f32[3] [0, 1, -1]
      %v = const f32[3] [1, 0.5, 2]
      %y = BatchNormalization(%x, %s, %b, %m, %v) {epsilon=0.0009765625}
    }`,
  },
  {
    name: "Conv, Gemm, MatMul, pools",
    ir: `graph @g(%x: f32[1,2,T], %a: f32[3,4]) -> (%c, %gm, %mm, %ap, %mp) {
      %w = const f32[3,2,2] [1, -1, 0.5, 0.25, -2, 1, 0, 1, 1, 0, -1, 2]
      %k = const f32[4,2] [1, 2, 3, 4, 5, 6, 7, 8]
      %c = Conv(%x, %w) {pads=[1, 0]}
      %gm = Gemm(%a, %k) {alpha=0.5}
      %mm = MatMul(%a, %k)
      %ap = AveragePool(%x) {kernel_shape=[2], strides=[2]}
      %mp = MaxPool(%x) {kernel_shape=[3], pads=[1, 1]}
    }`,
  },
]);

cases("elementwise ops", [
  {
    name: "Clip bounds and Cast targets",
    ir: `graph @g(%x: f32[2,3], %i: i32[2,3]) -> (%a, %b, %c, %d) {
      %a = Clip(%x) {max=1.0, min=-0.5}
      %b = Clip(%i) {max=2.0}
      %c = Cast(%x) {to="i32"}
      %d = Cast(%i) {to="f64"}
    }`,
  },
  {
    name: "Arithmetic, activations and comparisons",
    ir: `graph @g(%x: f32[2,3], %y: f32[3]) -> (%a, %b, %c, %d) {
      %a = Sub(%x, %y)
      %b = Mul(%x, %y)
      %c = LeakyRelu(%x) {alpha=0.25}
      %d = Greater(%x, %y)
    }`,
  },
  {
    name: "fused activations are written as the op and its activation node",
    ir: `graph @g(%x: f32[2,3], %y: f32[3], %a: f32[3,2]) -> (%s, %m, %c) {
      %k = const f32[2,2] [1, -2, 3, -4]
      %s = Add(%x, %y) {activation="LeakyRelu", activation_params=[0.5]}
      %m = MatMul(%a, %k) {activation="Clip", activation_params=[-1.0, 2.0]}
      %c = Gemm(%a, %k) {activation="Relu"}
    }`,
    sameIr: false,
    onnxOps: ["LeakyRelu", "Clip", "Relu"],
  },
]);

cases("activations: Softplus, Mish, Swish (SiLU), alone and fused", [
  {
    name: "Softplus and Mish are ONNX ops (Mish from opset 18)",
    ir: `graph @g(%x: f32[2,T]) -> (%a, %b) {
      %a = Softplus(%x)
      %b = Mish(%x)
    }`,
    onnxOps: ["Softplus", "Mish"],
  },
  {
    name: "Swish is written as Sigmoid and Mul (ONNX has Swish only from opset 24)",
    ir: `graph @g(%x: f32[2,T]) -> (%a, %b) {
      %a = Swish(%x)
      %b = Swish(%x) {alpha=1.702}
    }`,
    sameIr: false,
    reimport: "close",
    onnxOps: ["Sigmoid", "Mul", "!Swish"],
  },
  {
    name: "fused Mish, Swish, Softplus and Sigmoid are written as the op and its activation",
    ir: `graph @g(%x: f32[1,3,T], %f: f32[T,3]) -> (%c, %m, %s, %t) {
      %w = const f32[2,3,1] [0.5, -1, 0.25, 2, 0.75, -0.5]
      %k = const f32[3,2] [1, -2, 0.5, 0.25, -1, 3]
      %b = const f32[3,1] [0.5, -1, 2]
      %c = Conv(%x, %w) {activation="Mish"}
      %m = MatMul(%f, %k) {activation="Swish", activation_params=[2.0]}
      %s = Add(%x, %b) {activation="Softplus"}
      %t = Gemm(%f, %k) {activation="Sigmoid"}
    }`,
    sameIr: false,
    reimport: "close",
    onnxOps: ["Conv", "Mish", "MatMul", "Sigmoid", "Mul", "Add", "Softplus", "Gemm"],
  },
]);

describe("Swish round trip", () => {
  it("export writes Sigmoid and Mul, and canonicalize after import gives Swish back", () => {
    const g = parseGraph(`graph @g(%x: f32[2,T]) -> (%a, %b) {
      %a = Swish(%x)
      %b = Swish(%x) {alpha=1.5}
    }`);
    const back = runPipeline(importOnnxBytes(exportOnnx(g), "swish.onnx"), "canonicalize");
    expect(text(back)).toBe(text(g));
  });

  it("from opset 24 it is written as ONNX Swish", () => {
    const g = parseGraph(`graph @g(%x: f32[2,T]) -> (%a) { %a = Swish(%x) {alpha=1.5} }`);
    const nodes = decodeModel(exportOnnx(g, { opset: 24 }), "swish24").graph!.node!;
    expect(nodes.map((n) => n.opType)).toEqual(["Swish"]);
  });
});

cases("quantization ops", [
  {
    name: "QuantizeLinear with output_dtype, DequantizeLinear",
    ir: `graph @g(%x: f32[2,3]) -> (%q, %d, %u) {
      %s = const f32[] [0.05]
      %z = const u8[] [10]
      %q = QuantizeLinear(%x, %s) {output_dtype="i8"}
      %d = DequantizeLinear(%q, %s)
      %u = QuantizeLinear(%x, %s, %z)
    }`,
  },
]);

const i64 = (values: number[]) => fromNumbers("i64", [values.length], values);
const f32 = (value: number) => fromNumbers("f32", [], [value]);

cases("ONNX models of older opsets: imported, exported at opset 21, imported again", [
  {
    name: "opset 11: axes, split and pads attributes or inputs, Shape -> Gather -> Concat -> Reshape over T",
    ir: {
      opset: 11,
      inputs: [{ name: "x", shape: [1, "T", 4] }],
      outputs: [
        { name: "sq", shape: ["T", 4] }, { name: "un", shape: ["T", 1, 4] }, { name: "rm", shape: [1, "T", 1] },
        { name: "s1", shape: [1, "T", 1] }, { name: "s2", shape: [1, "T", 3] }, { name: "r", shape: ["T", 4] },
        { name: "c", shape: [1, "T", 4] }, { name: "p", shape: [1, "T1", 5] },
      ],
      initializers: { idx: fromNumbers("i64", [], [1]), four: i64([4]), lo: f32(-0.5), hi: f32(0.5), pads: i64([0, 1, 0, 0, 0, 1]) },
      nodes: [
        { op: "Squeeze", inputs: ["x"], outputs: ["sq"], attrs: { axes: [0] } },
        { op: "Unsqueeze", inputs: ["sq"], outputs: ["un"], attrs: { axes: [1] } },
        { op: "ReduceMean", inputs: ["x"], outputs: ["rm"], attrs: { axes: [2], keepdims: 1 } },
        { op: "Split", inputs: ["x"], outputs: ["s1", "s2"], attrs: { axis: 2, split: [1, 3] } },
        { op: "Shape", inputs: ["x"], outputs: ["shape"] },
        { op: "Gather", inputs: ["shape", "idx"], outputs: ["t"], attrs: { axis: 0 } },
        { op: "Unsqueeze", inputs: ["t"], outputs: ["t1"], attrs: { axes: [0] } },
        { op: "Concat", inputs: ["t1", "four"], outputs: ["target"], attrs: { axis: 0 } },
        { op: "Reshape", inputs: ["x", "target"], outputs: ["r"] },
        { op: "Clip", inputs: ["x", "lo", "hi"], outputs: ["c"] },
        { op: "Pad", inputs: ["x", "pads"], outputs: ["p"], attrs: { mode: "edge" } },
      ],
    },
  },
  {
    name: "opset 9: Slice and Pad attributes",
    ir: {
      opset: 9,
      inputs: [{ name: "x", shape: [2, "T", 4] }],
      outputs: [{ name: "s", shape: [2, "S", 3] }, { name: "p", shape: [2, "T", 7] }],
      nodes: [
        { op: "Slice", inputs: ["x"], outputs: ["s"], attrs: { starts: [1, 0], ends: [1000, -1], axes: [2, 1] } },
        { op: "Pad", inputs: ["x"], outputs: ["p"], attrs: { pads: [0, 0, 1, 0, 0, 2], value: 0.5 }, floatAttrs: ["value"] },
      ],
    },
  },
  {
    name: "opset 9: Dropout's mask in the input's dtype",
    ir: {
      opset: 9,
      inputs: [{ name: "x", shape: [2, 3] }],
      outputs: [{ name: "y", shape: [2, 3] }, { name: "m", shape: [2, 3] }],
      nodes: [{ op: "Dropout", inputs: ["x"], outputs: ["y", "m"], attrs: { ratio: 0.25 }, floatAttrs: ["ratio"] }],
    },
    sameIr: false,
  },
  {
    name: "opset 11: Softmax and LogSoftmax over the flattened trailing axes",
    ir: {
      opset: 11,
      inputs: [{ name: "x", shape: [2, 3, 4] }],
      outputs: [{ name: "a", shape: [2, 3, 4] }, { name: "b", shape: [2, 3, 4] }],
      nodes: [
        { op: "Softmax", inputs: ["x"], outputs: ["a"] },
        { op: "LogSoftmax", inputs: ["x"], outputs: ["b"], attrs: { axis: 0 } },
      ],
    },
    sameIr: false,
    onnxOps: ["Flatten"],
  },
]);

describe("exports without an ONNX equivalent are refused with a clear error", () => {
  it("BatchNormalization's opset < 14 batch statistics outputs", () => {
    const g = parseGraph(`graph @g(%x: f32[2,3]) -> (%y, %sm) {
      %s = const f32[3] [1, 2, 3]
      %y, %rm, %rv, %sm = BatchNormalization(%x, %s, %s, %s, %s) {training_mode=1}
    }`);
    expect(() => exportOnnx(g)).toThrow(/BatchNormalization.*saved_mean\/saved_var/);
  });

  it("a symbolic dim that no graph input carries", () => {
    const g = parseGraph(`graph @g(%x: f32[2]) -> (%y) { %y = ConstantOfShape() {shape=[T, 2]} }`);
    expect(() => exportOnnx(g)).toThrow(/ConstantOfShape.*no graph input has the dim T/);
  });

  it("per-group GroupNormalization on a symbolic channel count", () => {
    const g = parseGraph(`graph @g(%x: f32[2,C,3], %s: f32[2]) -> (%y) { %y = GroupNormalization(%x, %s, %s) {num_groups=2, per_channel=0} }`);
    expect(() => exportOnnx(g)).toThrow(/GroupNormalization.*known channel count/);
  });
});
