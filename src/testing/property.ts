// propertyPreserves: the property test every pass gets. It draws random speech graphs, runs the
// pass, checks that the result verifies, that the input graph was left alone, and that the
// outputs agree with the original's on random inputs (checkEquivalent); on failure it throws an
// error whose message has the seed to replay, the shrunk graph in IR text before and after the
// pass, the inputs as lists and what differed.
//
// Runs and seed come from the options, else from NEONC_PROPERTY_RUNS / NEONC_SEED, else 200
// runs with a fixed seed, so CI is reproducible and a developer can widen the search locally.
import fc from "fast-check";
import type { Graph } from "../../ir/graph.js";
import { printGraph } from "../../ir/text/index.js";
import { verifyProblems } from "../../ir/verify.js";
import { runPass, type Pass } from "../../passes/pass.js";
import { toleranceToString, type Tolerance } from "./compare.js";
import { checkEquivalent, indent, type EquivalenceResult } from "./equivalence.js";
import { formatLargeConstants, formatTensors } from "./format.js";
import { acceptedValues, inputSymbols, type DimsSpec } from "./inputs.js";
import { buildSpeechGraph, type SpeechGraphOptions } from "./speech-graph.js";
import { arbPlan, type SpeechPlan } from "./speech-plan.js";
import type { ValueOptions } from "./tensor-values.js";

/** Seed used when neither the options nor NEONC_SEED give one. */
export const DEFAULT_SEED = 20240611;
/** Runs when neither the options nor NEONC_PROPERTY_RUNS give a number. */
export const DEFAULT_RUNS = 200;

export interface PreservesOptions extends ValueOptions {
  readonly tolerance: Tolerance;
  /** Random graphs to try (default NEONC_PROPERTY_RUNS or 200). */
  readonly numRuns?: number;
  /** fast-check seed (default NEONC_SEED or DEFAULT_SEED). */
  readonly seed?: number;
  /** fast-check replay path printed by a failure: with the same seed, reruns just that case. */
  readonly path?: string;
  /** Options of arbSpeechGraph, or any arbitrary of graphs. */
  readonly graph?: SpeechGraphOptions | fc.Arbitrary<Graph>;
  /** Input sets per graph (default 3). */
  readonly inputs?: number;
  /** Largest T tried (default 40). */
  readonly maxDim?: number;
  /** Whether the pass's output must pass verifyGraph (default true). */
  readonly verify?: boolean;
  /** Name of the pass in the failure message (default the pass's or the function's name). */
  readonly name?: string;
  /** Options of a Pass value (checked against its schema), e.g. { per_channel: false }. */
  readonly passOptions?: Readonly<Record<string, unknown>>;
}

/** A pass made with definePass, or any function from graph to graph. */
export type PassUnderTest = Pass | ((g: Graph) => Graph);

function isPass(p: PassUnderTest): p is Pass {
  return typeof p === "object" && p !== null && typeof (p as Pass).run === "function" && typeof (p as Pass).name === "string";
}

/**
 * Throws a readable error when `subject` changes the numbers of some random graph. `subject` is a
 * pass value (definePass; run with `passOptions`, its log silenced) or a function Graph -> Graph.
 */
export function propertyPreserves(subject: PassUnderTest, options: PreservesOptions): void {
  if (!isPass(subject) && typeof subject !== "function") {
    throw new TypeError("propertyPreserves takes a pass made with definePass or a function from graph to graph");
  }
  if (!isPass(subject) && options.passOptions) throw new TypeError("passOptions apply to a pass made with definePass, not to a function");
  const pass = isPass(subject) ? (g: Graph) => runPass(g, subject, options.passOptions ?? {}, { log: () => {} }) : subject;
  const numRuns = options.numRuns ?? envInt("NEONC_PROPERTY_RUNS") ?? DEFAULT_RUNS;
  const seed = options.seed ?? envInt("NEONC_SEED") ?? DEFAULT_SEED;
  const maxDim = options.maxDim ?? 40;
  const custom = isArbitrary(options.graph) ? options.graph : undefined;
  const planOptions = custom ? {} : (options.graph as SpeechGraphOptions | undefined) ?? {};
  // Speech graphs are drawn as plans so that, after fast-check's shrinking, layers can still be
  // dropped one by one (fast-check's array shrinking may keep a trailing layer that is not needed).
  const cases: fc.Arbitrary<GraphOrPlan> = custom ? custom.map((graph) => ({ graph })) : arbPlan(planOptions).map((plan) => ({ plan }));
  const toGraph = (c: GraphOrPlan) => c.graph ?? buildSpeechGraph(c.plan!, planOptions);
  const property = fc.property(cases, fc.integer({ min: 1, max: maxDim }), fc.nat(), (c, t, inputSeed) => {
    const outcome = runCase(pass, options, toGraph(c), t, inputSeed);
    if (outcome.problems.length > 0) throw new Error(outcome.problems.join("\n"));
  });
  const details = fc.check(property, { numRuns, seed, ...(options.path ? { path: options.path } : {}) });
  if (!details.failed) return;
  const name = options.name ?? (subject.name || "the pass");
  const head = `${name} does not preserve the graph's numbers: failed after ${details.numRuns} of ${numRuns} runs ` +
    `(seed ${details.seed}, path "${details.counterexamplePath}", shrunk ${details.numShrinks} times).\n` +
    `Rerun this case with { seed: ${details.seed}, path: "${details.counterexamplePath}" } in the options, or the whole search with NEONC_SEED=${details.seed}.`;
  if (!details.counterexample) {
    throw new Error(`${head}\nfast-check stopped without a counterexample (the run was interrupted or skipped too many cases).`);
  }
  const [found, t, inputSeed] = details.counterexample;
  const fails = (c: GraphOrPlan) => runCase(pass, options, toGraph(c), t, inputSeed).problems.length > 0;
  const c = found.plan ? { plan: dropLayers(found.plan, (plan) => fails({ plan })) } : found;
  const g = toGraph(c);
  const outcome = runCase(pass, options, g, t, inputSeed);
  const plan = c.plan ? `\nplan (buildSpeechGraph reproduces the graph from it): ${JSON.stringify(c.plan)}` : "";
  throw new Error(`${head}\n${report(outcome, g, inputSeed, options.tolerance)}${plan}`);
}

interface GraphOrPlan {
  readonly graph?: Graph;
  readonly plan?: SpeechPlan;
}

/** Greedily removes layers (and the extra output) while the plan still fails. */
function dropLayers(plan: SpeechPlan, fails: (p: SpeechPlan) => boolean): SpeechPlan {
  let cur = plan;
  if (cur.extraOutput !== null && fails({ ...cur, extraOutput: null })) cur = { ...cur, extraOutput: null };
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < cur.layers.length && !changed; i++) {
      const next = { ...cur, layers: cur.layers.filter((_, k) => k !== i) };
      if (fails(next)) {
        cur = next;
        changed = true;
      }
    }
  }
  return cur;
}

interface Outcome {
  readonly problems: readonly string[];
  readonly after?: Graph;
  readonly equivalence?: EquivalenceResult;
}

function runCase(pass: (g: Graph) => Graph, options: PreservesOptions, g: Graph, t: number, inputSeed: number): Outcome {
  const text = printGraph(g);
  let after: Graph;
  try {
    after = pass(g);
  } catch (e) {
    return { problems: [`the pass throws: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const problems: string[] = [];
  if (printGraph(g) !== text) problems.push("the pass changed its input graph (passes must return a new graph)");
  if (options.verify !== false) {
    for (const p of verifyProblems(after)) problems.push(`the pass's output fails the verifier: ${p}`);
  }
  if (problems.length > 0) return { problems, after };
  const equivalence = checkEquivalent(g, after, {
    tolerance: options.tolerance, inputs: options.inputs ?? 3, dims: dimsFor(g, t, options.maxDim ?? 40),
    maxDim: options.maxDim ?? 40, seed: inputSeed, values: options.values, nonFinite: options.nonFinite, printGraphs: false,
  });
  return { problems: equivalence.problems, after, equivalence };
}

/**
 * T for a run: the smallest accepted value >= t, so fast-check shrinking t finds the smallest T
 * that fails. Graphs with several symbols draw them at random.
 */
function dimsFor(g: Graph, t: number, maxDim: number): DimsSpec {
  const symbols = inputSymbols(g);
  if (symbols.length !== 1) return "random";
  const ok = acceptedValues(g, symbols[0]!, maxDim);
  if (ok.length === 0) return "random"; // checkEquivalent reports that no T fits
  return { [symbols[0]!]: ok.find((v) => v >= t) ?? ok[ok.length - 1]! };
}

function report(outcome: Outcome, g: Graph, inputSeed: number, tolerance: Tolerance): string {
  const lines = outcome.problems.map((p) => `  - ${p}`);
  const c = outcome.equivalence?.failingCase;
  if (c) {
    const dims = Object.entries(c.dims).map(([k, v]) => `${k}=${v}`).join(", ");
    lines.unshift(`differences on input set ${c.index + 1} (input seed ${inputSeed}${dims ? `, ${dims}` : ""}; tolerance ${toleranceToString(tolerance)}):`);
    lines.push("inputs:", indent(formatTensors(c.inputs)));
  }
  lines.push("graph before the pass:", indent(printGraph(g).trimEnd()));
  if (outcome.after) lines.push("graph after the pass:", indent(printGraph(outcome.after).trimEnd()));
  const weights = formatLargeConstants(g);
  if (weights) lines.push("constants of the graph before the pass, as lists:", indent(weights));
  return lines.join("\n");
}

/** Duck-typed, so an arbitrary from another copy of fast-check is recognised too. */
function isArbitrary(x: unknown): x is fc.Arbitrary<Graph> {
  const a = x as { generate?: unknown; shrink?: unknown } | undefined;
  return typeof a?.generate === "function" && typeof a.shrink === "function";
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${v}"`);
  return n;
}
