// The `quantize` pass: a float graph (after -O1) becomes an integer-only graph: int8 activations
// (per tensor, asymmetric by default), int8 symmetric weights (per output channel by default),
// int32 biases and accumulators, fixed-point requantization with an explicit rounding, fused
// Relu/Clip as clamps, unary functions (and fused activations that are no clamp, unfused first:
// ir/unfuse-activations.ts) as 256-entry tables. Quantize nodes appear at the
// graph inputs and Dequantize nodes at its outputs; ops that cannot be lowered (or are listed in
// keep_float, e.g. the final LogSoftmax) stay in float between a Dequantize and a Quantize.
//
// Activation ranges come from calibration (see ./calibration-source.ts). docs/quantization.md
// has the details and the numbers.
import { allNodes, subgraphsOf, type Graph, type Node } from "../../ir/graph.js";
import { ROUNDINGS } from "../../ir/fixed-point.js";
import { UsageError } from "../../ir/errors.js";
import { OBSERVER_NAMES } from "../../src/analyses/calibration/observers.js";
import type { CalibratedRange } from "../../src/analyses/calibration/calibrate.js";
import { describeFloatNodes, FLOAT_NODES_META, floatNodesOf, QUANTIZED_VALUES_META, type FloatNode, type QuantizedValue } from "../../src/analyses/calibration/quantized-values.js";
import { definePass, describeNode } from "../pass.js";
import { boolOption, enumOption, floatOption, intOption, stringOption } from "../options.js";
import { attachedCalibration, NO_CALIBRATION_MESSAGE, resolveCalibration } from "./calibration-source.js";
import { chooseInt16Layers } from "./auto-int16.js";
import { calibrationWarnings } from "../../src/analyses/calibration/thin.js";
import { Lowering } from "./lowering.js";
import { lowerFor } from "./lower-ops.js";
import { findMagnitudes, lowerMagnitude } from "./lower-magnitude.js";
import { findLogEnergies, lowerLogEnergy, wideParams } from "./lower-log-energy.js";
import { unfuseTableActivations } from "../../ir/unfuse-activations.js";
import { has16x8Form, isIntegerOp } from "../../ir/traits.js";
import { calibrateRnnStates, RNN_MODES, type RnnMode } from "./lower-rnn.js";

export { attachCalibration, attachedCalibration, registerCalibrationSource, resolveCalibration, DEFAULT_DIR_SAMPLES, DEFAULT_SYNTHETIC_SAMPLES, type Calibration, type CalibrationRequest, type CalibrationSource, type SourceOptions } from "./calibration-source.js";
export { QUANTIZED_VALUES_META, type QuantizedValue } from "../../src/analyses/calibration/quantized-values.js";
export { chooseInt16Layers } from "./auto-int16.js";

/** Samples the automatic 16x8 choice measures SQNR on. */
const INT16_CHOICE_SAMPLES = 4;

export const quantize = definePass({
  name: "quantize",
  // Calibration observes the model's inputs (and runs through If branches); quantizeScope
  // quantizes the branches itself, with those ranges.
  subgraphs: false,
  doc: "Lowers a float graph to integer-only int8 ops with fixed-point requantization, from calibrated ranges.",
  options: {
    calibration: stringOption("", "ranges: synthetic (zero-shot, no data), a folder of input .pb files or a .json of saved ranges (read by the host), a registered source, or '' for ranges attached to the graph"),
    observer: enumOption(OBSERVER_NAMES, "minmax", "how activation ranges are chosen from calibration samples"),
    samples: intOption(0, "calibration samples to make (synthetic) or the most to read (a folder); 0: the source's default (8 synthetic, 100 from a folder)", { min: 0 }),
    seed: intOption(0, "seed of a generated calibration source (synthetic)"),
    synthetic_dims: stringOption("", "symbolic dims of the synthetic inputs, e.g. 'T=96' ('|'-separated; default T=200)"),
    per_channel: boolOption(true, "int8 weights with one scale per output channel (else one per tensor)"),
    symmetric: boolOption(false, "symmetric int8 activations (zero point 0)"),
    rounding: enumOption(ROUNDINGS, "gemmlowp", "rounding of every requantization"),
    keep_float: stringOption("LogSoftmax|Softmax", "op types left in float, separated by '|' ('none' lowers Softmax/LogSoftmax to integers too)"),
    bias_correction: boolOption(true, "correct Conv biases for the mean error of their quantized weights (from the channel means calibration records; ranges without them: no correction)"),
    rnn: enumOption(RNN_MODES, "hybrid", "LSTM/GRU/RNN: hybrid (int8 weights, float activations), integer (QLSTM/QGRU: int8 weights and hidden state, int16 cell, table gates; RNN and what cannot be lowered stay hybrid) or float"),
    hybrid_rnn: boolOption(true, "deprecated alias: false is rnn=float"),
    int16: stringOption("", "Conv/MatMul/Gemm layers (node or output names, '|'-separated) with int16 inputs: the 16x8 mode"),
    int16_below_db: floatOption(0, "also run in 16x8 every Conv/MatMul/Gemm whose int8 output SQNR is below this many dB (needs calibration samples: synthetic or a folder; 0: off)", { min: 0 }),
  },
  run(input, ctx) {
    const o = ctx.options;
    if (allNodes(input).some((n) => isIntegerOp(n.op))) {
      ctx.log("the graph is already quantized; left unchanged");
      return input;
    }
    const keep = new Set(o.keep_float === "none" ? [] : o.keep_float.split(/[|\s]+/).filter(Boolean));
    // Nodes inside If branches count: a model can be all one If (Silero VAD v5 is).
    if (!allNodes(input).some((n) => lowerFor(n.op) && !keep.has(n.op))) return input;
    if (o.calibration === "" && !attachedCalibration(input)) {
      ctx.log(NO_CALIBRATION_MESSAGE);
      return input;
    }
    const graph = unfuseTableActivations(input);
    const int16 = int16Names(o.int16);
    checkInt16Names(graph, int16);
    const cal = resolveCalibration(graph, o.calibration, { observer: o.observer, samples: o.samples, seed: o.seed, ...syntheticDims(o.synthetic_dims) }, ctx);
    if (o.calibration !== "") ctx.log(cal.summary);
    // Ranges measured here on few inputs, or one-sided before a Sigmoid/Tanh/Softmax, are flagged.
    if (cal.samples.length > 0) for (const w of calibrationWarnings(graph, cal.result)) ctx.log(`warning: ${w.message}`);
    const options: QuantizeGraphOptions = {
      perChannel: o.per_channel, symmetric: o.symmetric, rounding: o.rounding, biasCorrection: o.bias_correction, keepFloat: keep, int16,
      rnn: o.hybrid_rnn ? o.rnn : "float",
      explain: ctx.explaining ? (node, op, fired, message) => ctx.explain({ node, op, rule: "lower", fired, message }) : undefined,
    };
    if (o.int16_below_db > 0) {
      if (cal.samples.length === 0) {
        ctx.log("int16_below_db needs calibration samples to measure SQNR on (calibration=synthetic or a folder); no layer was moved to 16x8 automatically");
      } else {
        const samples = [...take(cal.samples, INT16_CHOICE_SAMPLES)];
        const chosen = chooseInt16Layers(graph, cal.result.ranges, samples, o.int16_below_db, options);
        ctx.log(`16x8 for ${chosen.length} layer(s) below ${o.int16_below_db} dB${chosen.length ? `: ${chosen.join(", ")}` : ""}`);
        for (const c of chosen) int16.add(c);
      }
    }
    // Integer LSTMs need their cell-state ranges, which only a run on the samples can record.
    const ranges = o.rnn === "integer" && cal.samples.length > 0 ? { ...cal.result.ranges, ...calibrateRnnStates(graph, cal.samples) } : cal.result.ranges;
    const out = quantizeGraph(graph, ranges, options);
    // Listed once: what runs in float in the "integer-only" model, and why.
    const floats = floatNodesOf(out.meta);
    if (floats.length > 0) ctx.log(describeFloatNodes(floats));
    return out;
  },
});

/** The layer names of the pass's `int16` option (separated by '|' or spaces). */
export function int16Names(option: string): Set<string> {
  return new Set(option.split(/[|\s]+/).filter(Boolean));
}

/** The `dims` of a calibration request from the synthetic_dims option ('T=96|N=1'); {} when empty. */
export function syntheticDims(text: string): { dims?: Record<string, number> } {
  const parts = text.split(/[|\s]+/).filter(Boolean);
  if (parts.length === 0) return {};
  const dims: Record<string, number> = {};
  for (const p of parts) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([1-9][0-9]*)$/.exec(p);
    if (!m) throw new UsageError(`synthetic_dims: '${p}' is not SYMBOL=POSITIVE_INTEGER`);
    dims[m[1]!] = Number(m[2]);
  }
  return { dims };
}

/** Throws a UsageError naming the 16x8 layers that are no Conv, MatMul or Gemm of the graph. */
export function checkInt16Names(graph: Graph, names: ReadonlySet<string>): void {
  const unknown = [...names].filter((name) => !allNodes(graph).some((n) => has16x8Form(n.op) && (n.name === name || n.outputs[0] === name)));
  if (unknown.length > 0) {
    throw new UsageError(`int16: no Conv/MatMul/Gemm layer has the node or output name ${unknown.map((u) => `'${u}'`).join(", ")}`);
  }
}

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const x of items) {
    yield x;
    if (++i >= n) return;
  }
}

export interface QuantizeGraphOptions {
  /** Node or output names of Conv/MatMul/Gemm layers run in the 16x8 mode. */
  readonly int16?: ReadonlySet<string>;
  readonly perChannel?: boolean;
  readonly symmetric?: boolean;
  readonly rounding?: (typeof ROUNDINGS)[number];
  readonly biasCorrection?: boolean;
  /** LSTM/GRU/RNN: "hybrid" (default), "integer" (QLSTM/QGRU where possible) or "float". */
  readonly rnn?: RnnMode;
  readonly keepFloat?: ReadonlySet<string>;
  readonly explain?: (node: string, op: string, fired: boolean, message: string) => void;
}

/**
 * The pass's work on explicit ranges (library use and tests). Fused activations that are no clamp
 * are unfused first (ir/unfuse-activations.ts): their pre-activation values need ranges of their own.
 */
export function quantizeGraph(input: Graph, ranges: Readonly<Record<string, CalibratedRange>>, options: QuantizeGraphOptions = {}): Graph {
  const graph = unfuseTableActivations(input);
  checkInt16Names(graph, options.int16 ?? new Set());
  return quantizeScope(graph, ranges, options, new Set(allValueNames(graph)));
}

/** Every value and node name of g and of its nested graphs: names a branch's new values must not take. */
function allValueNames(g: Graph): string[] {
  const out = [...Object.keys(g.types), ...g.nodes.map((n) => n.name)];
  for (const n of g.nodes) for (const [, sub] of subgraphsOf(n)) out.push(...allValueNames(sub));
  return out;
}

/**
 * Quantizes one graph: the top level, or an If branch. A branch is quantized on its own, with the
 * ranges its values got when calibration ran through it: its captured inputs (float values of
 * the outer graph) are quantized where an integer op reads them, its outputs dequantized, so the
 * If keeps a float interface and both branches run integer kernels inside. `reserved` holds the
 * names of the whole model, so values a branch adds cannot shadow an outer one. Its float nodes
 * join the model's list; a branch calibration never took has no ranges, so it stays float.
 */
function quantizeScope(graph: Graph, ranges: Readonly<Record<string, CalibratedRange>>, options: QuantizeGraphOptions, reserved: Set<string>): Graph {
  const keep = options.keepFloat ?? new Set(["LogSoftmax", "Softmax"]);
  const L = new Lowering(graph, ranges, {
    int16: options.int16 ?? new Set(),
    perChannel: options.perChannel ?? true, symmetric: options.symmetric ?? false,
    rounding: options.rounding ?? "gemmlowp", biasCorrection: options.biasCorrection ?? true,
    rnn: options.rnn ?? "hybrid",
  }, reserved);
  const floats: FloatNode[] = [];
  // The branches' records join this graph's: the model's top level holds them all (the SQNR
  // report finds a branch's layers by their value names, which are unique in the model).
  const map: Record<string, QuantizedValue> = {};
  const lowerNode = (n: Node) => {
    const lower = keep.has(n.op) ? undefined : lowerFor(n.op);
    const why = lower ? lower(n, L) : keep.has(n.op) ? "its op type is kept in float" : "no integer lowering for this op";
    if (why === undefined) {
      const note = L.notes.get(n.name);
      options.explain?.(n.name, n.op, true, note ? `lowered (${note})` : "lowered to integers");
      return;
    }
    options.explain?.(n.name, n.op, false, `${describeNode(n)} stays in float: ${why}`);
    floats.push({ node: n.name, op: n.op, reason: lower ? why : keep.has(n.op) ? "kept in float (keep_float)" : "no integer kernel" });
    L.keepFloat(n);
  };
  const fused = fusedGroups(graph, ranges, keep, L);
  const held = new Set([...fused.values()].flatMap((g) => g.members.map((m) => m.name)));

  for (const n of graph.nodes) {
    const subs = subgraphsOf(n);
    if (subs.length > 0) {
      const attrs = { ...n.attrs };
      for (const [attr, sub] of subs) {
        const q = quantizeScope(unfuseTableActivations(sub), ranges, options, reserved);
        floats.push(...floatNodesOf(q.meta));
        Object.assign(map, JSON.parse(q.meta?.[QUANTIZED_VALUES_META] ?? "{}"));
        attrs[attr] = { ...q, meta: withoutQuantizeMeta(q.meta) };
      }
      options.explain?.(n.name, n.op, true, "branches quantized; captured values and outputs stay float at the node");
      L.keepFloat({ ...n, attrs });
      continue;
    }
    if (held.has(n.name)) continue; // lowered with the last node of its group (below)
    const group = fused.get(n.name);
    if (group) {
      const why = group.lower(L);
      if (why === undefined) {
        for (const m of group.members) options.explain?.(m.name, m.op, true, `lowered into the ${group.op} of ${n.name}`);
        options.explain?.(n.name, n.op, true, `lowered (${L.notes.get(n.name)})`);
        continue;
      }
      options.explain?.(n.name, n.op, false, `${describeNode(n)} is no ${group.op}: ${why}`);
      for (const m of group.members) lowerNode(m);
    }
    lowerNode(n);
  }
  for (const [v, q] of L.intOf) if (!graph.constants[v]) map[v] = { int: q.name, scale: q.params.scale, zeroPoint: q.params.zeroPoint };
  return L.finish({ [QUANTIZED_VALUES_META]: JSON.stringify(map), [FLOAT_NODES_META]: JSON.stringify(floats) });
}

/** A pattern lowered as one integer op at its last node, or node by node when it cannot be. */
interface FusedGroup {
  /** The integer op it becomes. */
  readonly op: string;
  /** The nodes before the last one that it absorbs. */
  readonly members: readonly Node[];
  lower(L: Lowering): string | undefined;
}

/**
 * The patterns of `graph` lowered as one op, by their last node: spectrum magnitudes
 * (./lower-magnitude.ts) and log energies (./lower-log-energy.ts), unless an op of theirs is kept
 * in float. A log energy whose halves are computed wide registers them in `L.wide`, and the
 * layers that make them in `L.spectralLayers`, here, before those layers are lowered.
 */
function fusedGroups(graph: Graph, ranges: Readonly<Record<string, CalibratedRange>>, keep: ReadonlySet<string>, L: Lowering): Map<string, FusedGroup> {
  const out = new Map<string, FusedGroup>();
  const kept = (ops: readonly string[]) => ops.some((op) => keep.has(op));
  if (!kept(["Mul", "Add", "Sqrt"])) {
    for (const [name, g] of findMagnitudes(graph)) out.set(name, { op: "QMagnitude", members: g.members, lower: (l) => lowerMagnitude(g, l) });
  }
  if (!kept(["Mul", "Add", "MatMul", "Clip", "Log"])) {
    const groups = [...findLogEnergies(graph).values()].filter((g) => ranges[g.log.outputs[0]!] !== undefined);
    const wide = wideParams(groups, ranges);
    for (const [v, p] of wide) L.wide.set(v, p);
    for (const g of groups) for (const layer of g.layers) if (wide.has(layer)) L.spectralLayers.add(layer);
    for (const g of groups) out.set(g.log.name, { op: "QLogEnergy", members: g.members, lower: (l) => lowerLogEnergy(g, l) });
  }
  return out;
}

/** A branch's metadata without the quantize records: the model's top level holds the float-node list. */
function withoutQuantizeMeta(meta: Graph["meta"]): Record<string, string> {
  const { [QUANTIZED_VALUES_META]: _values, [FLOAT_NODES_META]: _floats, ...rest } = meta ?? {};
  return rest;
}

/** `-int8`: the float clean-up, then quantize (with its default options: ranges attached to the graph). */
export const int8Preset = {
  name: "int8",
  doc: "integer-only int8: -O1, then quantize",
  pipeline: "-O1,quantize",
  maxRounds: 2,
} as const;
