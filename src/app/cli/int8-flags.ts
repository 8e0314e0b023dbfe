// The INT8 presets of the PIPELINE flags (--int8, --calibration, --observer, --seed, --rounding,
// --per-tensor, --symmetric-activations, --bias-correction, --keep-float, --int16, --int16-below,
// --rnn, --calibration-samples) and the report flags (--report, --report-json), shared by run,
// optimize, compile and check.
//
// `--int8` is `-O1`, the user's --passes, calibration of the float graph, then `quantize` on the
// ranges attached to it: the int8 flow (passes/quantize/flow.ts, quantizeModel), run by the model
// pipeline of ./pipeline-flags.ts. This file turns the flags into the quantize pass's options.
import { existsSync, statSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import { ROUNDINGS, type Rounding } from "../../../ir/fixed-point.js";
import { RNN_MODES, type RnnMode } from "../../../passes/quantize/lower-rnn.js";
import { DEFAULT_DIR_SAMPLES, DEFAULT_SYNTHETIC_SAMPLES } from "../../../passes/quantize/calibration-source.js";
import type { QuantizeOptions, QuantizedModel } from "../../../passes/quantize/flow.js";
import { OBSERVER_NAMES, type ObserverName } from "../../analyses/calibration/observers.js";
import { DEFAULT_SYNTHETIC_LENGTH } from "../../analyses/calibration/synthetic/index.js";
import { ModelError, UsageError } from "../../../ir/errors.js";
import type { QuantizationSettings } from "../../adapters/report/index.js";

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
    .option("--bias-correction", "correct Conv biases for the mean error of the int8 weights, from the calibration inputs' channel means (data-free with --calibration synthetic); the default with calibration inputs")
    .option("--no-bias-correction", "keep the float biases (no correction for the int8 weights' mean error)")
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
      ["--per-tensor", flags.perTensor], ["--symmetric-activations", flags.symmetricActivations], [flags.biasCorrection === false ? "--no-bias-correction" : "--bias-correction", flags.biasCorrection],
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
  if (calibration.kind === "json" && (flags.biasCorrection === true || flags.int16Below !== undefined)) {
    throw new UsageError(`${flags.biasCorrection === true ? "--bias-correction" : "--int16-below"} needs calibration inputs (channel means, SQNR), which a .json calibration does not have; use --calibration synthetic or DIR`);
  }
  const keep = flags.keepFloat === undefined ? undefined : flags.keepFloat.trim() === "none" ? "none" as const : nameList("--keep-float", flags.keepFloat);
  return {
    calibration,
    observer: flags.observer ?? "minmax",
    seed: flags.seed ?? 0,
    rounding: flags.rounding ?? "gemmlowp",
    perChannel: !flags.perTensor,
    symmetric: flags.symmetricActivations === true,
    // On by default: a .json calibration has no channel means, so there it is off.
    biasCorrection: flags.biasCorrection ?? calibration.kind !== "json",
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

/** What --int8 made: the float graph it calibrated and quantized, the result, samples to compare them on. */
export interface Int8Outcome extends QuantizedModel {
  readonly settings: Int8Settings;
}

/**
 * The quantize pass's options for the --int8 settings. With --max-dim, synthetic inputs are made
 * no longer than it (the model may not accept longer ones: a position table of 128 frames).
 */
export function quantizeOptions(s: Int8Settings, maxDim?: Readonly<Record<string, number>>): QuantizeOptions {
  const c = s.calibration;
  const dims = c.kind === "synthetic" && maxDim ? Object.entries(maxDim).map(([k, v]) => `${k}=${Math.min(v, DEFAULT_SYNTHETIC_LENGTH)}`).join("|") : "";
  return {
    ...(dims ? { synthetic_dims: dims } : {}),
    calibration: c.kind === "synthetic" ? "synthetic" : c.kind === "dir" ? c.dir : c.file,
    observer: s.observer, samples: s.samples, seed: s.seed, rounding: s.rounding, per_channel: s.perChannel,
    symmetric: s.symmetric, bias_correction: s.biasCorrection, rnn: s.rnn, int16: s.int16.join("|"), int16_below_db: s.int16BelowDb,
    ...(s.keepFloat === undefined ? {} : { keep_float: s.keepFloat === "none" ? "none" : s.keepFloat.join("|") }),
  };
}

/** How the report states the --int8 settings. */
export function reportSettings(s: Int8Settings): QuantizationSettings {
  const c = s.calibration;
  return { calibration: c.kind === "synthetic" ? "synthetic" : c.kind === "dir" ? c.dir : c.file, observer: s.observer, rounding: s.rounding, perChannel: s.perChannel, seed: s.seed };
}
