// Warnings about calibration that looks too thin to trust. Ranges come from the inputs the model
// was calibrated on; when those are few, or when a tensor that a Sigmoid, Tanh or Softmax reads
// only ever showed one sign, other inputs fall outside the range and are clipped. The case that
// prompted this: a wake-word head calibrated on its one positive example saw only positive
// pre-sigmoid logits, so its range was [0, max]; every negative logit of every other input was
// clipped to 0 and the int8 model answered sigmoid(0) = 0.5017 for all of them.
import type { Graph } from "../../../ir/graph.js";
import { unfuseTableActivations } from "../../../ir/unfuse-activations.js";
import type { CalibrationResult } from "./calibrate.js";

/** Below this many calibration inputs, the ranges are flagged as under-sampled. */
export const MIN_CALIBRATION_INPUTS = 4;

/** Ops whose input is centred on 0 (both signs matter), so a one-sided range clips half of it. */
const CENTRED_READERS = new Set(["Sigmoid", "Tanh", "Softmax", "LogSoftmax"]);

/** Producers whose output has one sign by construction: a one-sided range there is no warning. */
const ONE_SIGNED = new Set(["Relu", "Sigmoid", "Softmax", "Exp", "Abs", "Softplus", "Sqrt", "HardSigmoid", "Clip", "Mul"]);

export interface CalibrationWarning {
  readonly kind: "few-inputs" | "one-sided";
  /** One sentence, as printed on stderr after "warning: ". */
  readonly message: string;
  /** The tensors concerned (value names of the float graph); empty when it is every range. */
  readonly tensors: readonly string[];
}

function oneSignedByConstruction(graph: Graph, value: string): boolean {
  const p = graph.nodes.find((n) => n.outputs.includes(value));
  if (!p || !ONE_SIGNED.has(p.op)) return false;
  // A Clip is one-signed only with a bound at or beyond 0; a Mul only as a square.
  if (p.op === "Clip") return (typeof p.attrs.min === "number" && p.attrs.min >= 0) || (typeof p.attrs.max === "number" && p.attrs.max <= 0);
  if (p.op === "Mul") return p.inputs[0] === p.inputs[1];
  return true;
}

const fmt = (x: number) => (Math.abs(x) >= 1e-3 || x === 0 ? Number(x.toPrecision(4)).toString() : x.toExponential(2));

/** The warnings for a calibration of `floatGraph` (the graph the ranges were measured on). */
export function calibrationWarnings(floatGraph: Graph, result: CalibrationResult): CalibrationWarning[] {
  const graph = unfuseTableActivations(floatGraph);
  const out: CalibrationWarning[] = [];
  const names = Object.keys(result.ranges);
  const thin = names.filter((v) => (result.ranges[v]!.inputs ?? result.samples) < MIN_CALIBRATION_INPUTS);
  if (thin.length > 0) {
    const all = thin.length === names.length;
    const counts = [...new Set(thin.map((v) => result.ranges[v]!.inputs ?? result.samples))].sort((a, b) => a - b);
    const what = all ? `every range (${names.length}) was calibrated on ${counts.join(" or ")} input${counts.at(-1) === 1 ? "" : "s"}` :
      `${thin.length} of ${names.length} ranges were calibrated on fewer than ${MIN_CALIBRATION_INPUTS} inputs (${thin.slice(0, 5).join(", ")}${thin.length > 5 ? ", ..." : ""})`;
    out.push({
      kind: "few-inputs",
      message: `${what}, fewer than ${MIN_CALIBRATION_INPUTS}: other inputs may fall outside these ranges and be clipped; calibrate on more inputs`,
      tensors: all ? [] : thin,
    });
  }
  const oneSided: string[] = [];
  const details: string[] = [];
  for (const n of graph.nodes) {
    if (!CENTRED_READERS.has(n.op)) continue;
    const v = n.inputs[0]!;
    const r = result.ranges[v];
    if (!r || r.observedMin === undefined || r.observedMax === undefined || oneSided.includes(v)) continue;
    const sided = (r.observedMin >= 0 && r.observedMax > 0) || (r.observedMax <= 0 && r.observedMin < 0);
    if (!sided || oneSignedByConstruction(graph, v)) continue;
    oneSided.push(v);
    details.push(`%${v} (read by ${n.op} ${n.name}) saw only [${fmt(r.observedMin)}, ${fmt(r.observedMax)}] on ${r.inputs ?? result.samples} input${(r.inputs ?? result.samples) === 1 ? "" : "s"}`);
  }
  if (oneSided.length > 0) {
    out.push({
      kind: "one-sided",
      message: `one-sided calibration range${oneSided.length > 1 ? "s" : ""} before a Sigmoid/Tanh/Softmax: ${details.join("; ")}; values of the other sign will be clipped to 0 (a sigmoid then gives 0.5): calibrate on inputs of both kinds`,
      tensors: oneSided,
    });
  }
  return out;
}
