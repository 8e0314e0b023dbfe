// Type rules, MAC counts and ONNX import of LSTM, GRU and RNN: symbolic time axis, both layouts,
// readable errors, hidden_size recovered from R, bad attributes reported at import.
import { describe, expect, it } from "vitest";
import { dimToString, parseDim, type Dim } from "../../../ir/dim.js";
import type { AttrValue } from "../../../ir/graph.js";
import { resolveAttrs } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import { typeToString, type TensorType } from "../../../ir/types.js";
import "../../../ir/ops/index.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { buildModel } from "../../helpers/onnx-builder.js";
import { maxDiff, naiveRnn, nested, rng, toTensor } from "./naive-rnn.js";

const T = parseDim("T");
const f32 = (...shape: Dim[]): TensorType => ({ dtype: "f32", shape });

function infer(op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue>, n: number): string[] {
  const def = getOp(op);
  return def.infer(inputs, resolveAttrs(def, attrs), { numOutputs: n, constant: () => undefined }).map(typeToString);
}

describe("recurrent type rules", () => {
  it("LSTM keeps a symbolic time axis (time-major)", () => {
    expect(infer("LSTM", [f32(T, 1, 64), f32(1, 1024, 64), f32(1, 1024, 256)], {}, 3))
      .toEqual(["f32[T,1,1,256]", "f32[1,1,256]", "f32[1,1,256]"]);
  });

  it("batch-major bidirectional GRU", () => {
    expect(infer("GRU", [f32(2, T, 3), f32(2, 15, 3), f32(2, 15, 5), f32(2, 30), undefined, f32(2, 2, 5)],
      { direction: "bidirectional", layout: 1, hidden_size: 5 }, 2))
      .toEqual(["f32[2,T,2,5]", "f32[2,2,5]"]);
  });

  it("RNN with only Y", () => {
    expect(infer("RNN", [f32(T, 4, 3), f32(1, 8, 3), f32(1, 8, 8)], {}, 1)).toEqual(["f32[T,1,4,8]"]);
  });

  it("reports inconsistent shapes and attributes in a sentence", () => {
    expect(() => infer("LSTM", [f32(T, 1, 64), f32(1, 1000, 64), f32(1, 1024, 256)], {}, 2)).toThrow(/LSTM input W has shape \[1,1000,64\], expected \[1,1024,64\]/);
    expect(() => infer("LSTM", [f32(T, 1, 64), f32(1, 1024, 64), f32(1, 1024, 256)], { direction: "bidirectional" }, 2)).toThrow(/expected \[2,1024,64\]/);
    expect(() => infer("GRU", [f32(T, 1, 2), f32(1, 15, 2), f32(1, 15, 5)], { activations: ["Sigmoid", "Swish"] }, 2)).toThrow(/unknown activation function "Swish"/);
    expect(() => infer("GRU", [f32(T, 1, 2), f32(1, 15, 2), f32(1, 15, 5)], { activations: ["Sigmoid"] }, 2)).toThrow(/activations lists 1 functions; expected 2/);
    expect(() => infer("RNN", [f32(T, 2, 3), f32(1, 4, 3), f32(1, 4, 4), undefined, f32(2)], {}, 2)).toThrow(/sequence_lens must be i32/);
    expect(() => infer("RNN", [f32(T, 2, 3), f32(1, 4, 3), f32(1, 4, 4)], { direction: "sideways" }, 2)).toThrow(/direction must be/);
  });

  it("counts MACs over the symbolic time axis", () => {
    const def = getOp("LSTM");
    const ins = [f32(T, 1, 64), f32(1, 1024, 64), f32(1, 1024, 256)];
    const macs = def.macs!(ins, [], resolveAttrs(def, {}));
    expect(dimToString(macs)).toBe(String((64 + 256) * 4 * 256) + "*T");
  });
});

describe("recurrent ONNX import", () => {
  const H = 3, I = 2, Tn = 4, B = 2;
  const r = rng(7);
  const W = nested([1, 4 * H, I], () => r(-0.5, 0.5));
  const R = nested([1, 4 * H, H], () => r(-0.5, 0.5));
  const X = nested([Tn, B, I], () => r());

  const model = (attrs: Record<string, number | number[] | string>, extra: { floatAttrs?: string[]; strs?: Record<string, string[]> } = {}) => {
    const bytes = buildModel({
      opset: 14,
      inputs: [{ name: "X", shape: ["T", B, I] }],
      outputs: [{ name: "Y_h", shape: [1, B, H] }],
      initializers: { W: toTensor(W), R: toTensor(R) },
      nodes: [{ op: "LSTM", inputs: ["X", "W", "R"], outputs: ["", "Y_h"], attrs, floatAttrs: extra.floatAttrs }],
    });
    return importOnnxBytes(bytes, "lstm.onnx");
  };

  it("records hidden_size from R and runs like the oracle", () => {
    const g = model({});
    const node = g.nodes.find((n) => n.op === "LSTM")!;
    expect(node.attrs.hidden_size).toBe(H);
    expect(typeToString(g.types.Y_h!)).toBe("f32[1,2,3]");
    const out = runGraph(g, { X: toTensor(X) });
    const want = naiveRnn({ kind: "LSTM", H, direction: "forward", acts: [[["Sigmoid"], ["Tanh"], ["Tanh"]]] }, { X, W, R });
    expect(maxDiff(out.Y_h!, want.Yh)).toBeLessThan(2e-6);
  });

  it("rejects a bad direction or an unknown attribute at import, naming the node", () => {
    expect(() => model({ direction: "sideways" })).toThrow(/LSTM.*direction must be forward, reverse or bidirectional/s);
    expect(() => model({ output_sequence: 1 })).toThrow(/LSTM.*attribute "output_sequence" is not supported/s);
  });
});
