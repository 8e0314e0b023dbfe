// Runs a golden fixture (golden-fixture.ts reads it): the input graph, calibrated as the
// fixture says, goes through the RUN pipeline with the verifier after every pass; the printed
// result must satisfy the CHECK lines, the pass log (with --explain all) the LOG lines, and the
// numbers the NUMERIC lines, on seeded random inputs. A fixture with ERROR: must make the
// pipeline fail with that text. Every problem is reported, not only the first, each naming its
// fixture line. test/passes/golden.test.ts runs the project's fixtures; a user's fixtures run the
// same way (checkGoldenFixture throws the report).
import { evalDim } from "../../ir/dim.js";
import type { Graph } from "../../ir/graph.js";
import { parseGraph, printGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { verifyProblems } from "../../ir/verify.js";
import type { PassHost } from "../../passes/pass.js";
import { runPipeline } from "../../passes/run.js";
import { getTarget } from "../../ir/target.js";
import "../../passes/index.js";
import { attachCalibration } from "../../passes/quantize/index.js";
import { calibrateRnnStates } from "../../passes/quantize/lower-rnn.js";
import { calibrate, type CalibratedRange, type CalibrationResult } from "../analyses/calibration/calibrate.js";
import { observerByName } from "../analyses/calibration/observers.js";
import { sqnrReport } from "../analyses/calibration/sqnr.js";
import { runGraph } from "../runtime/interpreter.js";
import { compareTensors } from "./compare.js";
import { fileCheck } from "./filecheck.js";
import { FixtureError, parseFixture, type GoldenFixture, type InputsSpec, type NumericCheck } from "./golden-fixture.js";
import { pickDims } from "./inputs.js";
import { SqnrMeter } from "./metrics.js";
import { seededTensor } from "./random-values.js";
import { Rng } from "./rng.js";

export interface GoldenOptions {
  /** Files and progress for the passes (a calibration folder in RUN needs one that reads files). */
  readonly host?: PassHost;
}

export interface GoldenOutcome {
  readonly ok: boolean;
  /** One line (or block) per problem, each naming the fixture line it comes from. */
  readonly problems: readonly string[];
  /** The pipeline's result in IR text, and its log. */
  readonly printed?: string;
  readonly log: string;
  /** What each NUMERIC check measured, e.g. "SQNR >= 30 dB: %y 41.2 dB". */
  readonly measured: readonly string[];
}

/** Runs one fixture and reports what does not hold; throws only when the fixture itself is malformed. */
export function runGoldenFixture(text: string, options: GoldenOptions = {}): GoldenOutcome {
  const fx = parseFixture(text);
  const input = parseSection(fx, 0);
  const refs = new Map<string, Graph>();
  for (let k = 1; k < fx.graphs.length; k++) {
    const g = parseSection(fx, k);
    if (refs.has(g.name) || g.name === input.name) throw new FixtureError(`line ${fx.graphs[k]!.line}: a second graph named @${g.name}`);
    refs.set(g.name, g);
  }
  const problems: string[] = [];
  for (const p of verifyProblems(input)) problems.push(`the input graph fails the verifier: ${p}`);
  if (problems.length > 0) return { ok: false, problems, log: "", measured: [] };

  const calibrated = fx.calibration ? withCalibration(input, fx) : input;
  // Random calibration inputs are also the samples the passes after quantize measure on.
  const random = fx.calibration?.random;
  const host = random ? { ...options.host, calibrationSamples: inputSets(input, fx.inputs, random.seed, random.count) } : options.host;
  const logs: string[] = [];
  const before = printGraph(calibrated);
  let output: Graph | undefined;
  try {
    output = runPipeline(calibrated, fx.run, {
      verifyEach: true, log: (t) => logs.push(t), host, pipelineInput: input,
      ...(fx.target ? { target: getTarget(fx.target) } : {}),
      ...(fx.logChecks.length > 0 ? { explain: ["all"] } : {}),
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!fx.error) problems.push(`the pipeline "${fx.run}" fails: ${message}`);
    else if (!message.includes(fx.error.text)) problems.push(`ERROR (fixture line ${fx.error.line}): the pipeline fails, but its message does not contain "${fx.error.text}":\n  ${message}`);
  }
  const log = logs.join("");
  if (fx.error && output) problems.push(`ERROR (fixture line ${fx.error.line}): expected the pipeline to fail with "${fx.error.text}", but it ran`);
  if (printGraph(calibrated) !== before) problems.push("the pipeline changed its input graph");
  if (fx.logChecks.length > 0) {
    const why = fileCheck(log, fx.logChecks);
    if (why) problems.push(`${why}\n--- log ---\n${log}`);
  }
  if (!output) return { ok: problems.length === 0, problems, log, measured: [] };

  const printed = printGraph(output);
  const why = fileCheck(printed, fx.checks);
  if (why) problems.push(why);
  const measured: string[] = [];
  if (fx.numeric.length > 0) {
    const sets = inputSets(input, fx.inputs, fx.inputs.seed, fx.inputs.sets);
    for (const c of fx.numeric) {
      const r = numericCheck(c, input, output, refs, sets);
      if (r.problem) problems.push(`NUMERIC${c.line ? ` (fixture line ${c.line})` : ""} ${c.text}${c.against ? ` against @${c.against}` : ""}: ${r.problem}`);
      if (r.measured) measured.push(`${c.text}: ${r.measured}`);
    }
  }
  return { ok: problems.length === 0, problems, printed, log, measured };
}

/** Runs a fixture and throws one error listing every problem, with the printed result. */
export function checkGoldenFixture(text: string, options: GoldenOptions & { readonly name?: string } = {}): void {
  const r = runGoldenFixture(text, options);
  if (r.ok) return;
  const parts = [`golden fixture ${options.name ?? ""} fails:`.replace("  ", " "), ...r.problems.map((p) => `- ${p}`)];
  if (r.printed) parts.push("--- result ---", r.printed.trimEnd());
  throw new Error(parts.join("\n"));
}

function parseSection(fx: GoldenFixture, k: number): Graph {
  try {
    return parseGraph(fx.graphs[k]!.text);
  } catch (e) {
    throw new FixtureError(`the graph at line ${fx.graphs[k]!.line} does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The input graph with the fixture's ranges attached, for a quantize with no calibration option. */
function withCalibration(g: Graph, fx: GoldenFixture): Graph {
  const cal = fx.calibration!;
  const ranges: Record<string, CalibratedRange> = {};
  let samples = 0, observer = "given";
  if (cal.random) {
    const data = inputSets(g, fx.inputs, cal.random.seed, cal.random.count);
    const result = calibrate(g, data, { observer: observerByName(cal.random.observer) });
    Object.assign(ranges, result.ranges, calibrateRnnStates(g, data));
    samples = result.samples;
    observer = result.observer;
  }
  for (const [name, r] of Object.entries(cal.ranges)) {
    if (!name.includes("#") && !g.types[name]) throw new FixtureError(`CALIBRATE names %${name}, which is no value of the input graph`);
    ranges[name] = r;
  }
  const result: CalibrationResult = { observer, samples, ranges };
  return attachCalibration(g, result);
}

/** `count` input sets for g, drawn from `seed` as INPUTS says (dims, value ranges). */
export function inputSets(g: Graph, spec: InputsSpec, seed: number, count: number): Record<string, Tensor>[] {
  const rng = new Rng(seed);
  for (const name of Object.keys(spec.perInput)) {
    if (!g.inputs.includes(name)) throw new FixtureError(`INPUTS gives a range for %${name}, which is no input of the graph`);
  }
  return Array.from({ length: count }, () => {
    const dims = pickDims(g, rng, Object.keys(spec.dims).length > 0 ? spec.dims : "random");
    const out: Record<string, Tensor> = {};
    for (const name of g.inputs) {
      const t = g.types[name]!;
      const values = spec.perInput[name] ?? spec.values;
      out[name] = seededTensor(rng, t.dtype, t.shape.map((d) => evalDim(d, dims)), values ? { values } : {});
    }
    return out;
  });
}

interface CheckResult {
  readonly problem?: string;
  readonly measured?: string;
}

function numericCheck(c: NumericCheck, input: Graph, output: Graph, refs: ReadonlyMap<string, Graph>, sets: readonly Record<string, Tensor>[]): CheckResult {
  let ref = input;
  if (c.against) {
    const g = refs.get(c.against);
    if (!g) return { problem: `the fixture has no graph @${c.against} (it has ${[...refs.keys()].map((n) => `@${n}`).join(", ") || "no other graph"})` };
    ref = g;
  }
  const missing = ref.inputs.filter((i) => !input.inputs.includes(i));
  if (missing.length > 0) return { problem: `@${ref.name} takes inputs the input graph does not have: ${missing.map((m) => `%${m}`).join(", ")}` };
  const outputs = ref.outputs.filter((o) => output.outputs.includes(o));
  if (outputs.length === 0) return { problem: `the result and @${ref.name} share no output name` };
  if (c.kind === "sqnr" && c.value && !ref.outputs.includes(c.value)) return layerSqnr(c, ref, output, sets);

  const runs = sets.map((s) => {
    const feed = Object.fromEntries(ref.inputs.map((i) => [i, s[i]!]));
    return { want: runGraph(ref, feed), got: runGraph(output, s) };
  });
  if (c.kind === "tolerance") {
    for (const [k, r] of runs.entries()) {
      for (const o of outputs) {
        const why = compareTensors(r.want[o]!, r.got[o]!, c.tolerance);
        if (why) return { problem: `output %${o} on input set ${k + 1}: ${why}` };
      }
    }
    return {};
  }
  if (c.kind === "equal") {
    let equal = 0, n = 0;
    for (const r of runs) {
      for (const o of outputs) {
        const a = r.want[o]!.data as ArrayLike<number>, b = r.got[o]!.data as ArrayLike<number>;
        if (a.length !== b.length) return { problem: `output %${o} has ${b.length} elements, expected ${a.length}` };
        for (let i = 0; i < a.length; i++) if (Object.is(a[i], b[i])) equal++;
        n += a.length;
      }
    }
    const measured = `${equal} of ${n} values equal (${((100 * equal) / n).toFixed(2)}%)`;
    return equal >= c.share * n ? { measured } : { problem: measured, measured };
  }
  const names = c.value ? [c.value] : outputs;
  const results = names.map((o) => {
    const m = new SqnrMeter();
    for (const r of runs) m.add(r.want[o]!, r.got[o]!);
    return { o, db: m.db() };
  });
  const measured = results.map((r) => `%${r.o} ${r.db.toFixed(1)} dB`).join(", ");
  const low = results.filter((r) => !(r.db >= c.db));
  return low.length === 0 ? { measured } : { problem: `${low.map((r) => `%${r.o} has ${r.db.toFixed(2)} dB`).join(", ")} over ${sets.length} input sets`, measured };
}

/** SQNR of an intermediate value: the quantize pass records which integer value stands for it. */
function layerSqnr(c: Extract<NumericCheck, { kind: "sqnr" }>, ref: Graph, output: Graph, sets: readonly Record<string, Tensor>[]): CheckResult {
  let report;
  try {
    report = sqnrReport(ref, output, sets);
  } catch (e) {
    return { problem: `%${c.value} is no output, and a layer's SQNR needs a graph made by quantize: ${e instanceof Error ? e.message : String(e)}` };
  }
  const layer = report.layers.find((l) => l.value === c.value);
  if (!layer) return { problem: `%${c.value} is no output and no value quantize lowered (layers: ${report.layers.map((l) => `%${l.value}`).join(", ")})` };
  const measured = `%${c.value} (${layer.intOp}) ${layer.sqnrDb.toFixed(1)} dB`;
  return layer.sqnrDb >= c.db ? { measured } : { problem: `${measured} over ${sets.length} input sets`, measured };
}
