// The INT8 presets of the PIPELINE flags (--int8, --calibration, --observer, --seed, --rounding,
// --per-tensor, --symmetric-activations, --bias-correction, --keep-float, --int16, --int16-below,
// --rnn, --calibration-samples) and the report flags (--report, --report-json), shared by run,
// optimize, compile and check.
//
// `--int8` is `-O1`, the user's --passes, calibration of the float graph, then `quantize` on the
// ranges attached to it. Calibration happens here rather than inside the pass because the
// synthetic (zero-shot) method must see the graph BEFORE -O1 folds its BatchNorms away, while the
// ranges must be those of the graph AFTER -O1, which is the one being quantized.
import { existsSync, readFileSync, statSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { Graph } from "../../ir/graph.js";
import { ROUNDINGS, type Rounding } from "../../ir/fixed-point.js";
import type { Tensor } from "../../ir/types.js";
import { runPipeline, runPipelineFromOptions, type RunPipelineOptions } from "../../passes/index.js";
import { attachCalibration, chooseInt16Layers } from "../../passes/quantize/index.js";
import { calibrateRnnStates, RNN_MODES, type RnnMode } from "../../passes/quantize/lower-rnn.js";
import { calibrate, calibrationFromJson, type CalibrationResult } from "../calibration/calibrate.js";
import { readCalibrationDir } from "../calibration/data-dir.js";
import { observerByName, OBSERVER_NAMES, type ObserverName } from "../calibration/observers.js";
import { runSyntheticCalibration } from "../calibration/synthetic/index.js";
// Also makes `quantize{calibration=synthetic}` usable inside --passes.
import "../calibration/synthetic/register.js";
import { ModelError, UsageError } from "../errors.js";
import { startProgress } from "./progress.js";

export interface Int8Flags {
  int8?: boolean;
  calibration?: string;
  observer?: ObserverName;
  seed?: number;
  rounding?: Rounding;
  perTensor?: boolean;
  symmetricActivations?: boolean;
  biasCorrection?: boolean;
  keepFloat?: string;
  int16?: string;
  int16Below?: number;
  rnn?: RnnMode;
  calibrationSamples?: number;
}

export interface ReportFlags {
  report?: string;
  reportJson?: string;
}

/** Samples a synthetic calibration makes, and the most a folder gives, unless told otherwise. */
export const DEFAULT_SYNTHETIC_SAMPLES = 8;
export const DEFAULT_DIR_SAMPLES = 100;
/** How many calibration samples the report runs through both models. */
export const REPORT_SAMPLES = 4;
const SYNTHETIC_STEPS = 50;

const CALIBRATIONS_HELP = "synthetic (zero-shot, from the BatchNorm statistics; no data needed), DIR (a folder of input .pb files) or FILE.json (ranges saved by calibrationToJson)";

function parseWhole(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}`);
    return n;
  };
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number of dB");
  return n;
}

/** A '|'-separated list flag as names; they go into a pipeline string, so its separators are refused. */
function nameList(flag: string, text: string | undefined): string[] {
  const names = (text ?? "").split("|").map((t) => t.trim()).filter(Boolean);
  const bad = names.find((n) => /[,{}=\s]/.test(n));
  if (bad !== undefined) throw new UsageError(`${flag}: '${bad}' has a character (, { } = or space) that cannot be passed on; name the layer by its output instead`);
  return names;
}

/** Adds the INT8 preset flags to a command. */
export function addInt8Flags(cmd: Command): Command {
  return cmd
    .option("--int8", "integer-only int8: -O1, calibrate, then quantize (calibration: --calibration, default synthetic)")
    .option("--calibration <source>", `activation ranges for --int8: ${CALIBRATIONS_HELP}`)
    .addOption(new Option("--observer <name>", "how --int8 chooses ranges from calibration data (default minmax)").choices([...OBSERVER_NAMES]))
    .option("--seed <n>", "seed of --calibration synthetic (default 0); the same seed gives the same model", parseWhole(0))
    .addOption(new Option("--rounding <mode>", "rounding of every int8 requantization (default gemmlowp)").choices([...ROUNDINGS]))
    .option("--per-tensor", "one scale per int8 weight tensor instead of one per output channel")
    .option("--symmetric-activations", "int8 activations with zero point 0 (default: asymmetric over the calibrated range)")
    .option("--bias-correction", "correct biases for the mean error of the int8 weights, from the calibration inputs' channel means (data-free with --calibration synthetic)")
    .option("--keep-float <ops>", "op types left in float, '|'-separated, or 'none' (default LogSoftmax|Softmax)")
    .option("--int16 <layers>", "Conv/MatMul/Gemm layers (node or output names, '|'-separated) run with int16 activations and int8 weights (the 16x8 mode)")
    .option("--int16-below <dB>", "also run in 16x8 every Conv/MatMul/Gemm whose int8 output SQNR on the calibration inputs is below this", parsePositive)
    .addOption(new Option("--rnn <mode>", "LSTM/GRU/RNN layers: hybrid (int8 weights, float activations), integer (QLSTM/QGRU: int8 weights and hidden state, int16 cell, table gates) or float (default hybrid)").choices([...RNN_MODES]))
    .option("--calibration-samples <n>", `synthetic inputs to make (default ${DEFAULT_SYNTHETIC_SAMPLES}) or most samples read from a folder (default ${DEFAULT_DIR_SAMPLES})`, parseWhole(1));
}

/** Adds --report and --report-json (optimize and compile). */
export function addReportFlags(cmd: Command): Command {
  return cmd
    .option("--report <file.html>", "with --int8: write the quantization report (per-layer SQNR, sizes, MACs) as one self-contained HTML page")
    .option("--report-json <file.json>", "with --int8: write the quantization report as JSON");
}

export type CalibrationSpec =
  /** `implicit`: chosen because no --calibration was given. */
  | { readonly kind: "synthetic"; readonly implicit?: boolean }
  | { readonly kind: "dir"; readonly dir: string }
  | { readonly kind: "json"; readonly file: string };

/** The --int8 settings, checked before the model is read. */
export interface Int8Settings {
  readonly calibration: CalibrationSpec;
  readonly observer: ObserverName;
  readonly seed: number;
  readonly rounding: Rounding;
  readonly perChannel: boolean;
  readonly symmetric: boolean;
  readonly biasCorrection: boolean;
  /** Op types left in float ('none': every op is lowered). */
  readonly keepFloat: readonly string[] | "none" | undefined;
  readonly int16: readonly string[];
  /** SQNR threshold of the automatic 16x8 choice (0: off). */
  readonly int16BelowDb: number;
  /** How LSTM/GRU/RNN layers are quantized. */
  readonly rnn: RnnMode;
  readonly samples: number;
}

/**
 * Checks the int8 and report flags together (usage errors, exit 2; a missing calibration folder
 * or file is an input error, exit 1). Undefined without --int8.
 */
export function checkInt8Flags(flags: Int8Flags & ReportFlags & { O?: string }): Int8Settings | undefined {
  if (!flags.int8) {
    const stray = ([
      ["--calibration", flags.calibration], ["--observer", flags.observer], ["--seed", flags.seed], ["--rounding", flags.rounding],
      ["--per-tensor", flags.perTensor], ["--symmetric-activations", flags.symmetricActivations], ["--bias-correction", flags.biasCorrection],
      ["--keep-float", flags.keepFloat], ["--int16", flags.int16], ["--int16-below", flags.int16Below], ["--rnn", flags.rnn],
      ["--calibration-samples", flags.calibrationSamples], ["--report", flags.report], ["--report-json", flags.reportJson],
    ] as const).filter(([, v]) => v !== undefined).map(([f]) => f);
    if (stray.length > 0) throw new UsageError(`${stray.join(", ")} only ${stray.length > 1 ? "apply" : "applies"} to int8 quantization; add --int8`);
    return undefined;
  }
  if (flags.O === "0") throw new UsageError("--int8 runs -O1 before quantizing; it cannot go with -O0");
  // Without --calibration, the zero-shot method: `neonc compile model.onnx --int8` needs no data.
  const calibration: CalibrationSpec = flags.calibration === undefined || flags.calibration === ""
    ? { kind: "synthetic", implicit: true }
    : calibrationSpec(flags.calibration);
  if (calibration.kind === "json") {
    if (flags.observer !== undefined) throw new UsageError("--observer chooses ranges from calibration data; a .json calibration already holds its ranges");
    if (flags.report !== undefined || flags.reportJson !== undefined) {
      throw new UsageError("the report compares the float and int8 models on calibration inputs, which a .json calibration does not have; use --calibration synthetic or DIR");
    }
  }
  if (calibration.kind !== "synthetic" && flags.seed !== undefined) throw new UsageError("--seed seeds --calibration synthetic; data calibration is deterministic without it");
  if (calibration.kind === "json" && (flags.biasCorrection || flags.int16Below !== undefined)) {
    throw new UsageError(`${flags.biasCorrection ? "--bias-correction" : "--int16-below"} needs calibration inputs (channel means, SQNR), which a .json calibration does not have; use --calibration synthetic or DIR`);
  }
  const keep = flags.keepFloat === undefined ? undefined : flags.keepFloat.trim() === "none" ? "none" as const : nameList("--keep-float", flags.keepFloat);
  return {
    calibration,
    observer: flags.observer ?? "minmax",
    seed: flags.seed ?? 0,
    rounding: flags.rounding ?? "gemmlowp",
    perChannel: !flags.perTensor,
    symmetric: flags.symmetricActivations === true,
    biasCorrection: flags.biasCorrection === true,
    keepFloat: keep,
    int16: nameList("--int16", flags.int16),
    int16BelowDb: flags.int16Below ?? 0,
    rnn: flags.rnn ?? "hybrid",
    samples: flags.calibrationSamples ?? (calibration.kind === "synthetic" ? DEFAULT_SYNTHETIC_SAMPLES : DEFAULT_DIR_SAMPLES),
  };
}

function calibrationSpec(text: string): CalibrationSpec {
  if (text === "synthetic") return { kind: "synthetic" };
  if (!existsSync(text)) throw new ModelError(`--calibration ${text}: no such folder or file (the calibrations are ${CALIBRATIONS_HELP})`);
  if (statSync(text).isDirectory()) return { kind: "dir", dir: text };
  return { kind: "json", file: text };
}

/** What --int8 made: the float graph it calibrated and quantized, the result, and inputs to compare them on. */
export interface Int8Outcome {
  /** The float graph after -O1 and the user's passes (what `graph` approximates). */
  readonly float: Graph;
  readonly graph: Graph;
  readonly settings: Int8Settings;
  /** A few of the calibration inputs (none for a .json calibration), for the report. */
  readonly samples: readonly Record<string, Tensor>[];
  /** Number of samples the ranges came from. */
  readonly calibrationSamples: number;
  /** One line saying how the ranges were made. */
  readonly summary: string;
}

export interface Int8PipelineOptions extends RunPipelineOptions {
  /** Float passes the user asked for (--passes), run after -O1. */
  readonly passes?: string;
}

/** Runs the whole --int8 flow on an imported (unoptimized) graph. */
export async function runInt8(imported: Graph, s: Int8Settings, options: Int8PipelineOptions = {}): Promise<Int8Outcome> {
  const { passes, ...diagnostics } = options;
  let synthetic: Record<string, Tensor>[] | undefined;
  let summary = "";
  if (s.calibration.kind === "synthetic") {
    const bar = startProgress(SYNTHETIC_STEPS, "synthesising calibration inputs");
    let r;
    try {
      r = runSyntheticCalibration(imported, {
        count: s.samples, steps: SYNTHETIC_STEPS, seed: s.seed,
        onProgress: (p) => bar.tick(`BN loss ${p.loss.toPrecision(4)}`),
      });
    } catch (e) {
      if (s.calibration.implicit && e instanceof ModelError) {
        throw new ModelError(`--int8 without --calibration calibrates on synthetic inputs: ${e.message}`);
      }
      throw e;
    } finally {
      bar.stop();
    }
    synthetic = r.inputs;
    summary = `synthetic calibration (seed ${s.seed}): ${r.inputs.length} inputs matched to ${r.batchNorms} BatchNorm statistics, loss ${r.initialLoss.toPrecision(4)} -> ${r.finalLoss.toPrecision(4)}`;
  }
  const floatPasses = ["-O1", passes].filter((p): p is string => !!p && p.trim() !== "").join(",");
  const float = await runPipelineFromOptions(imported, { ...diagnostics, passes: floatPasses });

  let result: CalibrationResult;
  let samples: Record<string, Tensor>[] = [];
  if (s.calibration.kind === "json") {
    try {
      result = calibrationFromJson(readFileSync(s.calibration.file, "utf8"));
    } catch (e) {
      throw new ModelError(`--calibration ${s.calibration.file}: not a calibration .json file nor a folder (${(e as Error).message})`);
    }
    summary = `ranges read from ${s.calibration.file} (${result.samples} samples, observer ${result.observer})`;
  } else {
    const dir = s.calibration.kind === "dir" ? s.calibration.dir : "";
    const inputs = synthetic ?? readCalibrationDir(dir, float, { limit: s.samples });
    const total = Array.isArray(inputs) ? inputs.length : (inputs as { length: number }).length;
    const bar = startProgress(total, "calibrating");
    let ok = false;
    try {
      result = calibrate(float, inputs, { observer: observerByName(s.observer), onProgress: (done) => bar.tick(`${done}/${total}`) });
      ok = true;
    } finally {
      bar.stop(ok ? `calibrated on ${total} inputs (observer ${s.observer})` : undefined);
    }
    samples = synthetic
      ? synthetic.slice(0, REPORT_SAMPLES)
      : [...readCalibrationDir(dir, float, { limit: Math.min(REPORT_SAMPLES, s.samples) })];
    if (!synthetic) summary = `data calibration on ${result.samples} samples from ${dir} (observer ${s.observer})`;
    else summary += `; observer ${s.observer}`;
    // Integer LSTMs also need the range of their cell state over every step (not a graph value).
    if (s.rnn === "integer") {
      result = { ...result, ranges: { ...result.ranges, ...calibrateRnnStates(float, synthetic ?? readCalibrationDir(dir, float, { limit: s.samples })) } };
    }
  }
  const int16 = [...s.int16];
  if (s.int16BelowDb > 0) {
    const chosen = chooseInt16Layers(float, result.ranges, samples, s.int16BelowDb, { perChannel: s.perChannel, symmetric: s.symmetric, rounding: s.rounding });
    const line = `16x8 for ${chosen.length} layer(s) below ${s.int16BelowDb} dB${chosen.length ? `: ${chosen.join(", ")}` : ""}`;
    summary += `; ${line}`;
    (diagnostics.log ?? ((t: string) => process.stderr.write(t)))(`quantize: ${line}\n`);
    for (const c of chosen) if (!int16.includes(c)) int16.push(c);
  }
  const qopts = [
    `per_channel=${s.perChannel}`, `rounding=${s.rounding}`, `symmetric=${s.symmetric}`, `bias_correction=${s.biasCorrection}`, `rnn=${s.rnn}`,
    ...(s.keepFloat === undefined ? [] : [`keep_float=${s.keepFloat === "none" ? "none" : s.keepFloat.join("|")}`]),
    ...(int16.length > 0 ? [`int16=${int16.join("|")}`] : []),
  ];
  const graph = runPipeline(attachCalibration(float, result), `quantize{${qopts.join(",")}}`, diagnostics);
  return { float, graph, settings: s, samples, calibrationSamples: result.samples, summary };
}
