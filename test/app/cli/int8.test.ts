// The --int8 PIPELINE presets on the command line: data calibration from a folder with the JSON
// report, QDQ export through optimize, the usage error without --calibration, the clear error
// of synthetic calibration on a model without BatchNorm, and the flags that need --int8.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedOrSkip, sharedPath } from "../../helpers/shared.js";
import { neoncInProcess, oneLineError, SHARED, tempDir } from "./helpers.js";

let dir: string;
let cal: string;

beforeAll(() => {
  dir = tempDir("neonc-int8-");
  cal = path.join(dir, "cal");
  mkdirSync(cal);
  if (existsSync(SHARED)) {
    for (const id of ["0000", "0001", "0002", "0003", "0004"]) {
      copyFileSync(path.join(SHARED, "asr-digits/dev", `${id}.input.pb`), path.join(cal, `${id}.input.pb`));
    }
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pass's notes after its summary: thin-calibration warnings and the one listing of float nodes. */
const NOTE = /^quantize: (warning: .+|\d+ nodes? stays? in float between Dequantize and Quantize: .+)$/;

/** Progress lines (src/app/cli/progress.ts), which appear once work has taken 2 s: on a loaded machine, calibrating 5 inputs does. */
const PROGRESS = /^(calibrating: \d+\/\d+.*|calibrated on \d+ inputs \(observer \w+\)|synthesising calibration inputs: .*)$/;

/** stderr is the calibration summary, then only notes (each line checked); progress lines aside. */
function expectQuantizeLog(stderr: string, summary: string): void {
  const [first, ...rest] = stderr.trimEnd().split("\n").filter((l) => !PROGRESS.test(l));
  expect(first).toBe(summary);
  for (const l of rest) expect(l).toMatch(NOTE);
}

describe("neonc --int8", () => {
  it("optimize --int8 --calibration DIR writes a quantized ONNX and the JSON report", async (ctx) => {
    sharedOrSkip(ctx);
    const out = path.join(dir, "out.onnx"), json = path.join(dir, "r.json");
    const r = await neoncInProcess("optimize", path.join(SHARED, "asr-digits/model.onnx"), "--int8", "--calibration", cal, "-o", out, "--report-json", json);
    // One line says how the model was calibrated (quick work shows no progress lines).
    expectQuantizeLog(r.stderr, `quantize: data calibration on 5 samples from ${cal} (observer minmax)`);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(r.stdout).toMatch(/int8 report: end-to-end SQNR [\d.]+ dB/);
    const rep = JSON.parse(readFileSync(json, "utf8"));
    expect(rep.quantization).toMatchObject({ calibration: cal, calibrationSamples: 5, observer: "minmax", rounding: "gemmlowp", perChannel: true });
    expect(rep.samples).toBe(4);
    expect(rep.endToEnd.sqnrDb).toBeGreaterThan(30);
    expect(rep.endToEnd.outputs).toHaveLength(1);
    expect(rep.size.weightBytesInt8 / rep.size.weightBytesFloat).toBeLessThan(0.26);
    expect(rep.size.ratio).toBeCloseTo(rep.size.weightBytesInt8 / rep.size.weightBytesFloat, 10);
    expect(rep.ops.QConv).toBeGreaterThan(10);
    expect(rep.layers.length).toBeGreaterThan(10);
    for (const l of rep.layers) {
      expect(Object.keys(l).sort()).toEqual(["intOp", "macs", "node", "op", "sqnrDb", "value", "weightBytesFloat", "weightBytesInt8"]);
      expect(l.sqnrDb).toBeGreaterThan(15);
    }
    expect(rep.macs).toBe(rep.layers.reduce((s: number, l: { macs: number }) => s + l.macs, 0));
    expect(rep.macs).toBeGreaterThan(1e7);
  });

  it("compile --int8 writes C and the HTML report with a chart and a row per layer", async (ctx) => {
    sharedOrSkip(ctx);
    const out = path.join(dir, "c"), html = path.join(dir, "r.html"), json = path.join(dir, "rc.json");
    const r = await neoncInProcess(
      "compile", path.join(SHARED, "asr-digits/model.onnx"), "--target", "c99", "--max-dim", "T=300", "-o", out,
      "--int8", "--calibration", cal, "--rounding", "tflite", "--per-tensor", "--calibration-samples", "2", "--report", html, "--report-json", json,
    );
    expectQuantizeLog(r.stderr, `quantize: data calibration on 2 samples from ${cal} (observer minmax)`);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(out, "model.c"))).toBe(true);
    const rep = JSON.parse(readFileSync(json, "utf8"));
    expect(rep.quantization).toMatchObject({ rounding: "tflite", perChannel: false, calibrationSamples: 2 });
    expect(rep.samples).toBe(2);
    const page = readFileSync(html, "utf8");
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).toContain("<svg");
    expect(page).not.toMatch(/<script|<link|src="http/);
    expect(page.match(/<tr class="layer">/g)?.length).toBe(rep.layers.length);
    for (const l of rep.layers) expect(page).toContain(l.node);
  });

  it("compile --int8 --explain lower names the algorithm of every QConv and QMatMul, and why", async (ctx) => {
    sharedOrSkip(ctx);
    const json = path.join(dir, "lower.json");
    const r = await neoncInProcess(
      "compile", path.join(SHARED, "asr-digits/model.onnx"), "--target", "aarch64", "--max-dim", "T=300", "-o", path.join(dir, "lower"),
      "--int8", "--calibration", cal, "--calibration-samples", "2", "--explain", "lower", "--report-json", json,
    );
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(json, "utf8"));
    const products = rep.ops.QConv + (rep.ops.QMatMul ?? 0);
    expect(products).toBeGreaterThan(10);
    const block = r.stderr.slice(r.stderr.indexOf("// explain lower: ")).trimEnd().split("\n");
    expect(block[0]).toBe(`// explain lower: ${products} nodes`);
    // One line per node; under it, indented, why the rules tried before its algorithm declined.
    const lines = block.slice(1).filter((l) => !l.startsWith("  not "));
    expect(lines).toHaveLength(products);
    for (const l of lines) expect(l).toMatch(/^Q(Conv|MatMul) \S+: fired Q(Conv|MatMul)(Depthwise|GemmRows|Im2col|Gemm|Centred): .+ on aarch64$/);
    // The 1-D separable convs of asr-digits: depthwise ones run the direct loop, the rest the rows GEMM.
    expect(new Set(lines.map((l) => /: fired (\w+):/.exec(l)![1]))).toEqual(new Set(["QConvDepthwise", "QConvGemmRows"]));
  });

  it("the quantize options reach the pass: --keep-float, --int16-below, --symmetric-activations, --bias-correction", async (ctx) => {
    sharedOrSkip(ctx);
    const model = path.join(SHARED, "asr-digits/model.onnx");
    const run = async (...flags: string[]) => {
      const json = path.join(dir, "q.json");
      const r = await neoncInProcess("optimize", model, "--int8", "--calibration", cal, "--calibration-samples", "3", ...flags, "-o", path.join(dir, "q.onnx"), "--report-json", json);
      expect(r.code).toBe(0);
      return { err: r.stderr, rep: JSON.parse(readFileSync(json, "utf8")) };
    };
    const base = await run();
    expectQuantizeLog(base.err, `quantize: data calibration on 3 samples from ${cal} (observer minmax)`);
    expect(base.rep.ops.LogSoftmax).toBe(1);
    expect(base.rep.ops.Requantize).toBeUndefined();
    const all = await run("--keep-float", "none");
    expect(all.rep.ops.QLogSoftmax).toBe(1);
    expect(all.rep.ops.LogSoftmax).toBeUndefined();
    // Layers below 30 dB get int16 inputs: a Requantize to int16 feeds each.
    const mixed = await run("--int16-below", "30");
    expect(mixed.rep.ops.Requantize).toBeGreaterThan(0);
    expect(mixed.err).toMatch(/\nquantize: 16x8 for [1-9]\d* layer\(s\) below 30 dB/);
    const sym = await run("--symmetric-activations", "--bias-correction");
    expect(sym.rep.endToEnd.sqnrDb).toBeGreaterThan(20);
    expect(sym.rep.endToEnd.sqnrDb).not.toBe(base.rep.endToEnd.sqnrDb);
  });

  it("bad quantize options are usage errors naming the flag", async () => {
    // The usage errors need no model; with asr-digits here, one more needs its layer names.
    const digits = sharedPath("asr-digits");
    const model = digits ? path.join(digits, "model.onnx") : "whatever.onnx";
    const cases: [string[], RegExp][] = [
      [["--int16", "a,b"], /--int16: 'a,b' has a character/],
      [["--int16-below", "-3"], /--int16-below/],
      [["--calibration", path.join(dir, "none.json"), "--bias-correction"], /no such folder or file|--bias-correction needs calibration inputs/],
    ];
    if (digits) cases.push([["--calibration", cal, "--int16", "nope"], /int16: no Conv\/MatMul\/Gemm layer has the node or output name 'nope'/]);
    for (const [flags, msg] of cases) {
      const args = flags.includes("--calibration") ? flags : ["--calibration", "synthetic", ...flags];
      const r = await neoncInProcess("optimize", model, "--int8", ...args, "-o", path.join(dir, "x.onnx"));
      expect(oneLineError(r)).toMatch(msg);
      expect(r.code).toBeGreaterThan(0);
    }
  });

  it("--int8 without --calibration calibrates synthetically, and says so where that cannot work", async (ctx) => {
    sharedOrSkip(ctx);
    const json = path.join(dir, "implicit.json");
    const r = await neoncInProcess("optimize", path.join(SHARED, "asr-digits/model.onnx"), "--int8", "--calibration-samples", "2", "-o", path.join(dir, "implicit.onnx"), "--report-json", json);
    // Off a terminal, the seconds of synthesis show as plain progress lines, then the summary.
    const lines = r.stderr.trimEnd().split("\n").filter((l) => !NOTE.test(l));
    expect(lines.at(-1)).toMatch(/^quantize: synthetic calibration \(seed 0\): 2 inputs matched to 12 BatchNorm statistics, loss .* -> .* in 50 steps/);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^synthesising calibration inputs: (\d+\/50 \(BN loss [\d.e+]+\), \d+ s|done in [\d.]+ s)$/);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).quantization).toMatchObject({ calibration: "synthetic", calibrationSamples: 2 });
    const w = await neoncInProcess("compile", path.join(SHARED, "models/wav2letter/model.onnx"), "--target", "c99", "-o", path.join(dir, "w0"), "--int8");
    expect(w.code).toBe(1);
    expect(oneLineError(w)).toMatch(/^neonc: --int8 without --calibration calibrates on synthetic inputs: .*BatchNorm.*--calibration DIR/);
  });

  it("int8 flags without --int8 are usage errors", async () => {
    for (const args of [["--calibration", "synthetic"], ["--rounding", "tflite"], ["--report-json", "r.json"]]) {
      const r = await neoncInProcess("optimize", "whatever.onnx", ...args, "-o", path.join(dir, "x.onnx"));
      expect(r.code).toBe(2);
      expect(oneLineError(r)).toMatch(/add --int8/);
    }
    const bad = await neoncInProcess("optimize", "whatever.onnx", "--int8", "--calibration", "synthetic", "--observer", "median", "-o", path.join(dir, "x.onnx"));
    expect(bad.code).toBe(2);
  });

  it("--calibration synthetic on wav2letter (no BatchNorm) fails with exit 1 and suggests --calibration DIR", async (ctx) => {
    sharedOrSkip(ctx);
    const r = await neoncInProcess("compile", path.join(SHARED, "models/wav2letter/model.onnx"), "--target", "c99", "-o", path.join(dir, "w"), "--int8", "--calibration", "synthetic");
    expect(r.code).toBe(1);
    const line = oneLineError(r);
    expect(line).toMatch(/BatchNorm/);
    expect(line).toMatch(/--calibration DIR/);
  });
});
