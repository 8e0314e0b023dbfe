// checkEquivalent: runs a graph and its transformed version through the reference interpreter
// on the same seeded random inputs and compares every output under a stated tolerance.
//
// The inputs, and the value of T (and any other symbol) for each input set, follow from the
// seed alone, so a report's seed reproduces it. A failure report names the input set, the
// symbol values, what differs in which output, the inputs as lists and both graphs in IR text.
import { dimEquals } from "../../ir/dim.js";
import type { Graph } from "../../ir/graph.js";
import { printGraph } from "../../ir/text/index.js";
import { formatValueName } from "../../ir/text/literals.js";
import { typeToString, type Tensor } from "../../ir/types.js";
import { runGraph } from "../runtime/interpreter.js";
import { compareTensors, toleranceToString, type Tolerance } from "./compare.js";
import { formatLargeConstants, formatTensors } from "./format.js";
import { pickDims, randomInputs, type DimsSpec } from "./inputs.js";
import { Rng } from "./rng.js";
import type { ValueOptions } from "./tensor-values.js";

export interface EquivalenceOptions extends ValueOptions {
  readonly tolerance: Tolerance;
  /** Random input sets to run (default 3). */
  readonly inputs?: number;
  /** Symbol values (e.g. { T: 20 }), or "random" (default): each set draws T in [1, maxDim]. */
  readonly dims?: DimsSpec;
  /** Largest value drawn for a symbol (default 40). */
  readonly maxDim?: number;
  /** Seed of the inputs and symbol values (default 1). */
  readonly seed?: number;
  /** Whether a failure message shows both graphs in IR text (default true). */
  readonly printGraphs?: boolean;
}

export interface EquivalenceCase {
  /** 0-based number of the input set. */
  readonly index: number;
  readonly dims: Readonly<Record<string, number>>;
  readonly inputs: Readonly<Record<string, Tensor>>;
}

export interface EquivalenceResult {
  readonly ok: boolean;
  /** Input sets run (up to and including the failing one). */
  readonly casesRun: number;
  /** The input set that showed the difference (absent when ok, or when the graphs' interfaces differ). */
  readonly failingCase?: EquivalenceCase;
  /** One sentence per difference found. */
  readonly problems: readonly string[];
  /** The full report ("" when ok). */
  readonly message: string;
}

export class EquivalenceError extends Error {
  constructor(readonly result: EquivalenceResult) {
    super(result.message);
    this.name = "EquivalenceError";
  }
}

/** Compares before and after on seeded inputs; never throws for a difference, returns it. */
export function checkEquivalent(before: Graph, after: Graph, options: EquivalenceOptions): EquivalenceResult {
  const seed = options.seed ?? 1;
  const sets = options.inputs ?? 3;
  const interfaceProblems = compareInterfaces(before, after);
  if (interfaceProblems.length > 0) return failure(before, after, options, 0, undefined, interfaceProblems, seed);
  const rng = new Rng(seed);
  for (let k = 0; k < sets; k++) {
    const dims = pickDims(before, rng, options.dims ?? "random", options.maxDim ?? 40);
    const inputs = randomInputs(before, rng, dims, options);
    const c: EquivalenceCase = { index: k, dims, inputs };
    let ref: Record<string, Tensor>;
    try {
      ref = runGraph(before, inputs);
    } catch (e) {
      return failure(before, after, options, k + 1, c, [`the original graph fails on these inputs: ${message(e)}`], seed);
    }
    let got: Record<string, Tensor>;
    try {
      got = runGraph(after, inputs);
    } catch (e) {
      return failure(before, after, options, k + 1, c, [`the transformed graph fails on inputs the original accepts: ${message(e)}`], seed);
    }
    const problems: string[] = [];
    for (const o of before.outputs) {
      const why = compareTensors(ref[o]!, got[o]!, options.tolerance);
      if (why) problems.push(`output ${formatValueName(o)}: ${why}`);
    }
    if (problems.length > 0) return failure(before, after, options, k + 1, c, problems, seed);
  }
  return { ok: true, casesRun: sets, problems: [], message: "" };
}

/** Like checkEquivalent, but throws an EquivalenceError carrying the report. */
export function assertEquivalent(before: Graph, after: Graph, options: EquivalenceOptions): void {
  const r = checkEquivalent(before, after, options);
  if (!r.ok) throw new EquivalenceError(r);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Differences in the inputs and outputs the two graphs offer (names, order and input types). */
function compareInterfaces(before: Graph, after: Graph): string[] {
  const problems: string[] = [];
  const list = (xs: readonly string[]) => `(${xs.map(formatValueName).join(", ")})`;
  if (before.inputs.join("\u0000") !== after.inputs.join("\u0000")) {
    problems.push(`the inputs changed from ${list(before.inputs)} to ${list(after.inputs)}`);
  } else {
    for (const i of before.inputs) {
      const a = before.types[i], b = after.types[i];
      const same = a && b && a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, k) => dimEquals(d, b.shape[k]!));
      if (!same) problems.push(`input ${formatValueName(i)} changed type from ${a ? typeToString(a) : "none"} to ${b ? typeToString(b) : "none"}`);
    }
  }
  if (before.outputs.join("\u0000") !== after.outputs.join("\u0000")) {
    problems.push(`the outputs changed from ${list(before.outputs)} to ${list(after.outputs)}`);
  }
  return problems;
}

function failure(
  before: Graph, after: Graph, options: EquivalenceOptions, casesRun: number, c: EquivalenceCase | undefined,
  problems: string[], seed: number,
): EquivalenceResult {
  const lines: string[] = [];
  if (c) {
    const dims = Object.entries(c.dims).map(([k, v]) => `${k}=${v}`).join(", ");
    lines.push(`the graphs differ on input set ${c.index + 1} (seed ${seed}${dims ? `, ${dims}` : ""}; tolerance ${toleranceToString(options.tolerance)}):`);
  } else {
    lines.push("the graphs cannot be compared:");
  }
  for (const p of problems) lines.push(`  - ${p}`);
  if (c) lines.push("inputs:", indent(formatTensors(c.inputs)));
  if (options.printGraphs !== false) {
    lines.push("graph before:", indent(printGraph(before).trimEnd()), "graph after:", indent(printGraph(after).trimEnd()));
    const weights = formatLargeConstants(before);
    if (weights) lines.push("constants of the graph before, as lists:", indent(weights));
  }
  return { ok: false, casesRun, ...(c ? { failingCase: c } : {}), problems, message: lines.join("\n") };
}

export function indent(text: string, by = "  "): string {
  return text.split("\n").map((l) => (l ? by + l : l)).join("\n");
}
