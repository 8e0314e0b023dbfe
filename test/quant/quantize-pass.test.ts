// The quantize pass: a hand-built graph lowered op by op, the pipeline form with a calibration
// folder, and random speech graphs from the property kit (valid, integer where it can be, and
// numerically close to the float graph).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sym } from "../../ir/dim.js";
import type { Graph } from "../../ir/graph.js";
import { makeTensor, tensorType, type Tensor } from "../../ir/types.js";
import { verifyGraph } from "../../ir/verify.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { encodeTensorFile } from "../../src/adapters/onnx/tensor.js";
import { runPipeline, runPass } from "../../passes/index.js";
import { attachCalibration, chooseInt16Layers, quantize, quantizeGraph } from "../../passes/quantize/index.js";
import { resolveCalibration } from "../../passes/quantize/calibration-source.js";
import { SILENT_PROGRESS } from "../../passes/pass.js";
import { nodeHost } from "../../src/adapters/node-host.js";
import { calibrate } from "../../src/analyses/calibration/index.js";
import { sqnrReport } from "../../src/analyses/calibration/sqnr.js";
import { arbSpeechGraph, GraphBuilder, pickDims, randomInputs, Rng } from "../../src/testing/index.js";

function randn(rng: Rng, shape: number[], scale = 1): Tensor {
  const t = makeTensor("f32", shape);
  const d = t.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] = (rng.next() * 2 - 1) * scale;
  return t;
}

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

  it("lowers every op it can and keeps LogSoftmax in float", () => {
    const q = quantizeGraph(g, cal.ranges);
    verifyGraph(q);
    expect(q.nodes.map((n) => n.op)).toEqual([
      "Quantize", "QConv", "QConv", "QAdd", "QLookup", "QConcat", "Transpose", "QMatMul", "Dequantize", "LogSoftmax",
    ]);
    // Outputs keep their names; integer values carry their scale and zero point.
    expect(q.outputs).toEqual(g.outputs);
    const conv = q.nodes.find((n) => n.op === "QConv")!;
    expect(q.types[conv.outputs[0]!]!.quant?.kind).toBe("affine");
    expect(q.types[conv.inputs[1]!]).toMatchObject({ dtype: "i8", quant: { axis: 0 } });
    // The fused Relu is the clamp at the output's zero point.
    const yq = q.types[conv.outputs[0]!]!.quant as unknown as { zeroPoint: readonly number[] };
    expect(conv.attrs["qmin"]).toBe(yq.zeroPoint[0]);
  });

  it("stays close to the float graph (SQNR per layer and end to end)", () => {
    const q = quantizeGraph(g, cal.ranges);
    const rep = sqnrReport(g, q, samples(new Rng(1), 3));
    expect(rep.layers.map((l) => l.intOp)).toEqual(["QConv", "QConv", "QAdd", "QLookup", "QConcat", "Transpose", "QMatMul"]);
    for (const l of rep.layers) expect(l.sqnrDb, l.node).toBeGreaterThan(25);
    expect(rep.outputs[0]!.sqnrDb).toBeGreaterThan(20);
    expect(rep.layers[0]!.macs).toBe(8 * 4 * 3 * 16);
    expect(rep.layers[0]!.weightBytesInt).toBe(8 * 4 * 3 + 8 * 4);
    expect(rep.layers[0]!.weightBytesFloat).toBe((8 * 4 * 3 + 8) * 4);
  });

  it("every rounding mode, per-tensor weights, symmetric activations and bias correction give valid, close graphs", () => {
    for (const opts of [{ rounding: "tflite" as const }, { rounding: "rndnu" as const }, { rounding: "half-even" as const }, { perChannel: false }, { symmetric: true }, { biasCorrection: true }]) {
      const q = quantizeGraph(g, cal.ranges, opts);
      verifyGraph(q);
      expect(sqnrReport(g, q, samples(new Rng(1), 2)).outputs[0]!.sqnrDb, JSON.stringify(opts)).toBeGreaterThan(18);
    }
    const sym = quantizeGraph(g, cal.ranges, { symmetric: true });
    expect(sym.nodes.find((n) => n.op === "Quantize")!.attrs["zero_point"]).toBe(0);
  });

  it("keep_float=none lowers the LogSoftmax too: integer-only between one Quantize and one Dequantize", () => {
    const q = runPass(attachCalibration(g, cal), quantize, { keep_float: "none" });
    verifyGraph(q);
    expect(q.nodes.map((n) => n.op).filter((o) => !o.startsWith("Q") && o !== "Transpose")).toEqual(["Dequantize"]);
    expect(q.nodes.at(-2)!.op).toBe("QLogSoftmax");
    expect(sqnrReport(g, q, samples(new Rng(1), 2)).outputs[0]!.sqnrDb).toBeGreaterThan(20);
  });

  it("keep_float leaves the listed op types in float between Dequantize and Quantize", () => {
    const q = runPass(attachCalibration(g, cal), quantize, { keep_float: "Add|LogSoftmax" });
    verifyGraph(q);
    const ops = q.nodes.map((n) => n.op);
    expect(ops).toContain("Add");
    expect(ops.filter((o) => o === "Dequantize").length).toBeGreaterThanOrEqual(3);
  });

  it("runs chosen layers in the 16x8 mode, by name or below an SQNR threshold", () => {
    const q = quantizeGraph(g, cal.ranges, { int16: new Set(["c1", "mm"]) });
    verifyGraph(q);
    const conv = q.nodes.find((n) => n.op === "QConv" && q.types[n.inputs[0]!]!.dtype === "i16")!;
    expect(q.nodes.find((n) => n.outputs.includes(conv.inputs[0]!))!.op).toBe("Quantize");
    // The MatMul's input comes from an integer op: a Requantize to int16 feeds it.
    const mm = q.nodes.find((n) => n.op === "QMatMul")!;
    expect(q.types[mm.inputs[0]!]!.dtype).toBe("i16");
    expect(q.nodes.find((n) => n.outputs.includes(mm.inputs[0]!))!.op).toBe("Requantize");
    const rep8 = sqnrReport(g, quantizeGraph(g, cal.ranges), samples(new Rng(1), 2));
    const rep16 = sqnrReport(g, q, samples(new Rng(1), 2));
    const at = (r: typeof rep8, node: string) => r.layers.find((l) => l.node === node)!.sqnrDb;
    expect(at(rep16, "c1")).toBeGreaterThan(at(rep8, "c1"));
    // Automatic: a threshold above every layer's SQNR picks all Conv/MatMul layers, 0 picks none.
    const all = chooseInt16Layers(g, cal.ranges, samples(new Rng(1), 2), 200);
    expect(all.sort()).toEqual(["c1", "c2", "mm"]);
    expect(chooseInt16Layers(g, cal.ranges, samples(new Rng(1), 2), 1)).toEqual([]);
  });

  it("the -int8 preset runs -O1 then quantize, with ranges attached to the graph", () => {
    const q = runPipeline(attachCalibration(g, cal), "-int8", { log: () => {} });
    verifyGraph(q);
    expect(q.nodes.filter((n) => n.op === "QConv")).toHaveLength(2);
  });

  it("explains why a value stays in float when it has no range", () => {
    const events: string[] = [];
    const ranges = { ...cal.ranges };
    delete (ranges as Record<string, unknown>)["sig"];
    quantizeGraph(g, ranges, { explain: (node, op, fired, msg) => { if (!fired) events.push(`${op}: ${msg}`); } });
    expect(events.some((e) => e.startsWith("Sigmoid") && e.includes("no calibrated range"))).toBe(true);
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
        const a = f[o]!.data as Float32Array, b = r[o]!.data as Float32Array;
        let sig = 0, err = 0;
        for (let i = 0; i < a.length; i++) {
          sig += a[i]! * a[i]!;
          err += (a[i]! - b[i]!) ** 2;
        }
        // Outputs with almost no signal say nothing about the quantization; skip those.
        if (sig / a.length > 1e-6 && Number.isFinite(sig)) expect(10 * Math.log10(sig / Math.max(err, 1e-30)), o).toBeGreaterThan(8);
      }
    }), { numRuns: 25 });
    expect(lowered).toBeGreaterThan(25); // the property is not vacuous: integer ops were made
  });
});

describe("hybrid recurrent layers", () => {
  it("LSTM and GRU keep float activations with int8 weights, a quarter of the bytes", () => {
    const rng = new Rng(11);
    const b = new GraphBuilder("rnn");
    const x = b.input("x", tensorType("f32", [sym("T"), 1, 6]));
    const H = 8;
    const w = b.constant("W", randn(rng, [1, 4 * H, 6], 0.4)), r = b.constant("R", randn(rng, [1, 4 * H, H], 0.4));
    const bias = b.constant("B", randn(rng, [1, 8 * H], 0.1));
    const [y] = b.node("LSTM", [x, w, r, bias], { hidden_size: H }, "lstm", 1);
    const gw = b.constant("GW", randn(rng, [1, 3 * H, H], 0.4)), gr = b.constant("GR", randn(rng, [1, 3 * H, H], 0.4));
    const [sq] = b.node("Squeeze", [y!], { axes: [1] }, "sq");
    const [gy] = b.node("GRU", [sq!, gw, gr], { hidden_size: H }, "gru", 1);
    const g = b.build([x], [gy!]);
    const data = Array.from({ length: 3 }, () => ({ x: randn(rng, [10, 1, 6], 1) }));
    const q = quantizeGraph(g, calibrate(g, data).ranges);
    verifyGraph(q);
    expect(q.nodes.map((n) => n.op).filter((o) => o.startsWith("Hybrid"))).toEqual(["HybridLSTM", "HybridGRU"]);
    const bytes = (gr: Graph, names: string[]) => names.reduce((s, n) => s + (gr.constants[n]!.data as Int8Array).byteLength, 0);
    const lstm = q.nodes.find((n) => n.op === "HybridLSTM")!;
    expect(bytes(q, lstm.inputs.slice(1, 3))).toBe(bytes(g, ["W", "R"]) / 4);
    const f = runGraph(g, data[0]!)[gy!]!.data as Float32Array, h = runGraph(q, data[0]!)[gy!]!.data as Float32Array;
    let sig = 0, err = 0;
    f.forEach((v, i) => {
      sig += v * v;
      err += (v - h[i]!) ** 2;
    });
    expect(10 * Math.log10(sig / err)).toBeGreaterThan(30);
    // Off: the recurrent layers stay as they are.
    expect(quantizeGraph(g, calibrate(g, data).ranges, { rnn: "float" }).nodes.some((n) => n.op === "LSTM")).toBe(true);
  });
});
