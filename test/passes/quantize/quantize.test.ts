// The quantize pass beyond its golden fixtures (test/passes/quantize/golden/*.ir specify the
// lowering of each op family, the options and the explanations): the automatic 16x8 choice,
// calibration through the host (a folder of inputs) and its errors, the SQNR report's sizes and
// MACs, and random speech graphs from the property kit (valid, integer where it can be, and
// numerically close to the float graph).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sym } from "../../../ir/dim.js";
import type { Graph } from "../../../ir/graph.js";
import { tensorType, type Tensor } from "../../../ir/types.js";
import { verifyGraph } from "../../../ir/verify.js";
import { parseGraph } from "../../../ir/text/index.js";
import { runGraph } from "../../../src/runtime/interpreter.js";
import { encodeTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { runPipeline, runPass } from "../../../passes/index.js";
import { attachCalibration, chooseInt16Layers, quantize, quantizeGraph } from "../../../passes/quantize/index.js";
import { resolveCalibration } from "../../../passes/quantize/calibration-source.js";
import { SILENT_PROGRESS } from "../../../passes/pass.js";
import { nodeHost } from "../../../src/adapters/node-host.js";
import { calibrate } from "../../../src/analyses/calibration/index.js";
import { sqnrReport } from "../../../src/analyses/calibration/sqnr.js";
import { arbSpeechGraph, GraphBuilder, pickDims, randomInputs, Rng, seededTensor, SqnrMeter } from "../../../src/testing/index.js";

/** Uniform in [-scale, scale). */
const randn = (rng: Rng, shape: number[], scale = 1): Tensor => seededTensor(rng, "f32", shape, { values: { min: -scale, max: scale } });

/** x[1,4,T] -> Conv(k3)+Relu -> Add(residual 1x1 conv) -> Sigmoid -> Concat(with x) -> Transpose -> MatMul -> LogSoftmax */
function handGraph(): Graph {
  const rng = new Rng(7);
  const b = new GraphBuilder("hand");
  const x = b.input("x", tensorType("f32", [1, 4, sym("T")]));
  const w1 = b.constant("w1", randn(rng, [8, 4, 3], 0.5));
  const b1 = b.constant("b1", randn(rng, [8], 0.1));
  const [c1] = b.node("Conv", [x, w1, b1], { pads: [1, 1], activation: "Relu" }, "c1");
  const w2 = b.constant("w2", randn(rng, [8, 4, 1], 0.5));
  const [c2] = b.node("Conv", [x, w2], {}, "c2");
  const [s] = b.node("Add", [c1!, c2!], {}, "sum");
  const [sg] = b.node("Sigmoid", [s!], {}, "sig");
  const [cat] = b.node("Concat", [sg!, x], { axis: 1 }, "cat");
  const [tr] = b.node("Transpose", [cat!], { perm: [0, 2, 1] }, "tr");
  const wm = b.constant("wm", randn(rng, [12, 5], 0.4));
  const [mm] = b.node("MatMul", [tr!, wm], {}, "mm");
  const [y] = b.node("LogSoftmax", [mm!], { axis: 2 }, "y");
  return b.build([x], [y!]);
}

function samples(rng: Rng, n: number, T = 16): Record<string, Tensor>[] {
  return Array.from({ length: n }, () => ({ x: randn(rng, [1, 4, T], 2) }));
}

describe("quantize pass on a hand-built graph", () => {
  const g = handGraph();
  const cal = calibrate(g, samples(new Rng(1), 8));

  it("reports SQNR, MACs and weight bytes per layer", () => {
    const q = quantizeGraph(g, cal.ranges);
    verifyGraph(q);
    const rep = sqnrReport(g, q, samples(new Rng(1), 3));
    expect(rep.layers.map((l) => l.intOp)).toEqual(["QConv", "QConv", "QAdd", "QLookup", "QConcat", "Transpose", "QMatMul"]);
    for (const l of rep.layers) expect(l.sqnrDb, l.node).toBeGreaterThan(25);
    expect(rep.outputs[0]!.sqnrDb).toBeGreaterThan(20);
    expect(rep.layers[0]!.macs).toBe(8 * 4 * 3 * 16);
    expect(rep.layers[0]!.weightBytesInt).toBe(8 * 4 * 3 + 8 * 4);
    expect(rep.layers[0]!.weightBytesFloat).toBe((8 * 4 * 3 + 8) * 4);
  });

  it("16x8 layers come closer to float than int8 ones, and the automatic choice takes those below a threshold", () => {
    const q = quantizeGraph(g, cal.ranges, { int16: new Set(["c1", "mm"]) });
    verifyGraph(q);
    const rep8 = sqnrReport(g, quantizeGraph(g, cal.ranges), samples(new Rng(1), 2));
    const rep16 = sqnrReport(g, q, samples(new Rng(1), 2));
    const at = (r: typeof rep8, node: string) => r.layers.find((l) => l.node === node)!.sqnrDb;
    expect(at(rep16, "c1")).toBeGreaterThan(at(rep8, "c1"));
    // Automatic: a threshold above every layer's SQNR picks all Conv/MatMul layers, 0 picks none.
    const all = chooseInt16Layers(g, cal.ranges, samples(new Rng(1), 2), 200);
    expect(all.sort()).toEqual(["c1", "c2", "mm"]);
    expect(chooseInt16Layers(g, cal.ranges, samples(new Rng(1), 2), 1)).toEqual([]);
  });

  it("runs from a pipeline string with a calibration folder, and says when ranges are missing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "neonc-cal-"));
    samples(new Rng(3), 4).forEach((s, i) => writeFileSync(path.join(dir, `${i}.input.pb`), encodeTensorFile(s["x"]!, "x")));
    const q = runPipeline(g, `quantize{calibration=${dir}, observer=percentile}`, { log: () => {}, host: nodeHost() });
    verifyGraph(q);
    expect(q.nodes[0]!.op).toBe("Quantize");
    const logs: string[] = [];
    expect(runPass(g, quantize, {}, { log: (m) => logs.push(m) })).toBe(g);
    expect(logs.join("")).toMatch(/no activation ranges, so the graph stays in float/);
    expect(() => resolveCalibration(g, "", { observer: "minmax", samples: 1, seed: 0 }, { host: {}, progress: SILENT_PROGRESS, log: () => {}, pipelineInput: undefined })).toThrow(/quantize has no activation ranges/);
    expect(() => runPass(g, quantize, { calibration: "/no/such/dir" }, { log: () => {} })).toThrow(/calibration '\/no\/such\/dir' is neither one of synthetic nor a folder or file, which this host cannot read/);
    expect(() => runPass(g, quantize, { calibration: "/no/such/dir" }, { log: () => {}, host: nodeHost() })).toThrow(/is neither one of synthetic nor a folder of input .pb files or a .json of ranges that exists/);
    // Automatic 16x8 from the folder's samples: a threshold above every layer takes them all.
    const logs16: string[] = [];
    const q16 = runPipeline(g, `quantize{calibration=${dir}, int16_below_db=200}`, { log: (m) => logs16.push(m), host: nodeHost() });
    verifyGraph(q16);
    expect(q16.nodes.filter((n) => (n.op === "QConv" || n.op === "QMatMul") && q16.types[n.inputs[0]!]!.dtype === "i16")).toHaveLength(3);
    expect(logs16.join("")).toMatch(/16x8 for 3 layer\(s\) below 200 dB: c1, c2, mm/);
    // Already quantized: left as is (so -int8 reaches a fixed point).
    expect(runPass(q, quantize, { calibration: dir }, { log: () => {} })).toBe(q);
  });
});

describe("quantize pass on random speech graphs", () => {
  it("gives verified graphs whose outputs track the float graph", () => {
    let lowered = 0;
    fc.assert(fc.property(arbSpeechGraph({ maxLayers: 5, maxChannels: 8, symbolicT: false, maxT: 24 }), fc.integer({ min: 1, max: 1000 }), (raw, seed) => {
      const g = runPipeline(raw, "-O1");
      const rng = new Rng(seed);
      const env = pickDims(g, rng);
      const data = Array.from({ length: 4 }, () => randomInputs(g, rng, env));
      const cal = calibrate(g, data);
      const q = quantizeGraph(g, cal.ranges);
      verifyGraph(q);
      lowered += q.nodes.filter((n) => n.op.startsWith("Q") && n.op !== "Quantize").length;
      const f = runGraph(g, data[0]!), r = runGraph(q, data[0]!);
      for (const o of g.outputs) {
        const m = new SqnrMeter().add(f[o]!, r[o]!);
        // Outputs with almost no signal say nothing about the quantization; skip those.
        if (m.signal / m.count > 1e-6 && Number.isFinite(m.signal)) expect(m.db(), o).toBeGreaterThan(8);
      }
    }), { numRuns: 25 });
    expect(lowered).toBeGreaterThan(25); // the property is not vacuous: integer ops were made
  });
});

describe("fused activations that are no clamp", () => {
  it("become the integer op and a table of the activation, with ranges attached, in the flow and in the SQNR report", () => {
    const g = runPipeline(parseGraph(`graph @g(%x: f32[1,3,T]) -> (%y, %z) {
  %w = const f32[4,3,3] [0.5, -1, 0.25, 2, 0.75, -0.5, 1, 1, -1, 0.3, 0.2, -0.1, 0.5, -1, 0.25, 2, 0.75, -0.5, 1, 1, -1, 0.3, 0.2, -0.1, 0.5, -1, 0.25, 2, 0.75, -0.5, 1, 1, -1, 0.3, 0.2, -0.1]
  %c = Conv(%x, %w) {pads=[1, 1]}
  %y = LeakyRelu(%c) {alpha=0.1}
  %d = Conv(%x, %w) {pads=[1, 1]}
  %z = Mish(%d)
}`), "fuse-activation{kinds=all}");
    expect(g.nodes.map((n) => `${n.op}:${String(n.attrs.activation)}`)).toEqual(["Conv:LeakyRelu", "Conv:Mish"]);
    const rng = new Rng(2);
    const data = Array.from({ length: 4 }, () => randomInputs(g, rng, { T: 20 }));
    // Ranges measured on the fused graph include the activations' inputs (%y.preact, %z.preact).
    const cal = calibrate(g, data);
    expect(Object.keys(cal.ranges)).toEqual(expect.arrayContaining(["y.preact", "z.preact"]));
    const q = runPass(attachCalibration(g, cal), quantize, {}, { log: () => {} });
    expect(q.nodes.map((n) => n.op).sort()).toEqual(["Dequantize", "Dequantize", "QConv", "QConv", "QLookup", "QLookup", "Quantize"]);
    const report = sqnrReport(g, q, data);
    expect(report.layers.map((l) => `${l.op}>${l.intOp}`)).toEqual(["Conv>QConv", "LeakyRelu>QLookup", "Conv>QConv", "Mish>QLookup"]);
    expect(report.layers[0]!.weightBytesInt).toBeGreaterThan(0);
    for (const l of report.layers) expect(l.sqnrDb, l.node).toBeGreaterThan(25);
  });
});
