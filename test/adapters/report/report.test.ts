// The quantization report on a small synthetic float model: the JSON fields, the sums, exact
// layers as null SQNR, and the self-contained HTML page (inline SVG, one row per layer, escaping).
import { describe, expect, it } from "vitest";
import type { Graph } from "../../../ir/graph.js";
import { fromNumbers, type Tensor } from "../../../ir/types.js";
import { quantizeGraph } from "../../../passes/quantize/index.js";
import { runPipeline } from "../../../passes/index.js";
import { calibrate } from "../../../src/analyses/calibration/calibrate.js";
import { importOnnxBytes } from "../../../src/adapters/onnx/index.js";
import { buildInt8Report, renderHtml, sqnrChart } from "../../../src/adapters/report/index.js";
import { onnx } from "../../../src/adapters/onnx/proto.js";
import { tensorToProto } from "../../../src/adapters/onnx/tensor.js";
import { Rng } from "../../../src/testing/index.js";

/** x[1,4,T] -> Conv(8, k3) -> Relu -> Conv(4, k1) "<out&>": two integer layers. */
function model(): Graph {
  const r = new Rng(7);
  const rnd = (n: number) => r.uniforms(n, -0.5, 0.5);
  const vi = (name: string, shape: (number | string)[]) => ({
    name, type: { tensorType: { elemType: 1, shape: { dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
  });
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "tiny",
      node: [
        { opType: "Conv", input: ["x", "w1", "b1"], output: ["c1"], name: "conv1", attribute: [{ name: "pads", type: 7, ints: [1, 1] }] },
        { opType: "Relu", input: ["c1"], output: ["r1"], name: "relu1" },
        { opType: "Conv", input: ["r1", "w2"], output: ["y"], name: "conv<2>&" },
      ],
      input: [vi("x", [1, 4, "T"])],
      output: [vi("y", [1, 4, "T"])],
      initializer: [
        tensorToProto(fromNumbers("f32", [8, 4, 3], rnd(96)), "w1"),
        tensorToProto(fromNumbers("f32", [8], rnd(8)), "b1"),
        tensorToProto(fromNumbers("f32", [4, 8, 1], rnd(32)), "w2"),
      ],
    },
  })).finish();
  return importOnnxBytes(bytes, "tiny.onnx");
}

function samples(n: number): Record<string, Tensor>[] {
  let s = 3;
  return Array.from({ length: n }, () => ({ x: fromNumbers("f32", [1, 4, 20], Array.from({ length: 80 }, () => ((s = (Math.imul(s, 69069) + 1) >>> 0) / 2 ** 31) - 1)) }));
}

describe("int8 report", () => {
  const float = runPipeline(model(), "-O1");
  const inputs = samples(3);
  const int8 = quantizeGraph(float, calibrate(float, inputs).ranges);
  const report = buildInt8Report({
    model: "tiny.onnx", float, int8, samples: inputs, calibration: "synthetic", calibrationSamples: 3,
    observer: "minmax", rounding: "gemmlowp", perChannel: true, seed: 5, summary: "test <summary>",
  });

  it("has per-layer SQNR, bytes and MACs, and consistent totals", () => {
    expect(report.layers.map((l) => l.intOp)).toEqual(["QConv", "QConv"]);
    expect(report.samples).toBe(3);
    const [a, b] = report.layers;
    expect(a!.weightBytesFloat).toBe((96 + 8) * 4);
    expect(a!.weightBytesInt8).toBe(96 + 8 * 4);
    expect(b!.weightBytesFloat).toBe(32 * 4);
    expect(a!.macs).toBe(8 * 4 * 3 * 20);
    expect(b!.macs).toBe(4 * 8 * 20);
    expect(report.macs).toBe(a!.macs + b!.macs);
    for (const l of report.layers) expect(l.sqnrDb).toBeGreaterThan(25);
    expect(report.endToEnd.sqnrDb).toBe(report.endToEnd.outputs[0]!.sqnrDb);
    expect(report.size.ratio).toBeCloseTo(report.size.weightBytesInt8 / report.size.weightBytesFloat, 12);
    expect(report.size.ratio).toBeLessThan(0.5);
    expect(report.ops).toMatchObject({ QConv: 2, Quantize: 1, Dequantize: 1 });
    expect(report.quantization.seed).toBe(5);
    // JSON round trip keeps every field (no Infinity/NaN lost).
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("renders one self-contained page: SVG chart, a row per layer, escaped names", () => {
    const html = renderHtml(report);
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<svg/g)?.length).toBe(1);
    expect(html.match(/<tr class="layer">/g)?.length).toBe(2);
    expect(html).toContain("conv&lt;2&gt;&amp;");
    expect(html).not.toContain("conv<2>&");
    expect(html).toContain("test &lt;summary&gt;");
  });

  it("draws exact layers as full bars labelled exact", () => {
    const svg = sqnrChart([{ node: "n", op: "Add", value: "v", intOp: "QAdd", sqnrDb: null, weightBytesFloat: 0, weightBytesInt8: 0, macs: 0 }]);
    expect(svg).toContain(">exact<");
    expect(svg).toContain("no weights");
  });
});
