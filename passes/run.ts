// Runs a pipeline over a graph: presets to a fixed point, with the instruments the CLI exposes
// (--verify-each, --print-ir-after NAME / --print-ir-after-all, --timing, --explain NAME).
//
// Diagnostics (IR dumps, timings, explanations) go to `log`, stderr by default, so a command's
// own output stays clean.
import type { Graph } from "../ir/graph.js";
import type { Target } from "../ir/target.js";
import { MAX_LITERAL_ELEMENTS, printGraph } from "../ir/text/index.js";
import { verifyProblems } from "../ir/verify.js";
import { ModelError, UsageError, errorMessage } from "../ir/errors.js";
import { formatExplanation } from "./explain.js";
import { makeContext, runNested, type ExplainEvent, type PassHost } from "./pass.js";
import { parsePipeline, type Pipeline, type PipelineStep } from "./pipeline.js";
import { allPasses, findPass } from "./registry.js";
import { sameGraph } from "./same-graph.js";
import { nearest } from "./suggest.js";

export interface RunPipelineOptions {
  /** Run the verifier after every pass; an invalid graph stops the pipeline naming the pass. */
  readonly verifyEach?: boolean;
  /** Print the IR after each run of these passes. */
  readonly printIrAfter?: readonly string[];
  readonly printIrAfterAll?: boolean;
  /** Print every constant in full in those dumps (default: constants of more than 16 elements are elided). */
  readonly printIrWeights?: boolean;
  /** Print the time each pass took, and the total. */
  readonly timing?: boolean;
  /** Print, per node, why these passes' rules did or did not fire ("all" for every pass). */
  readonly explain?: readonly string[];
  /** Where diagnostics go (default: stderr). Receives whole blocks ending in a newline. */
  readonly log?: (text: string) => void;
  /** Files and progress for the passes (passes read no files themselves): see PassHost. */
  readonly host?: PassHost;
  /**
   * The graph the pipeline's input was made from, for passes that look back before it (the
   * synthetic calibration reads its BatchNorm statistics); default: the pipeline's input.
   */
  readonly pipelineInput?: Graph;
  /** The target a target-aware pass (lower) chooses for. */
  readonly target?: Target;
}

interface Timing {
  label: string;
  ms: number;
}

/** Runs `pipeline` (a string or a parsed Pipeline) on `graph`; the input graph is never changed. */
export function runPipeline(graph: Graph, pipeline: string | Pipeline, opts: RunPipelineOptions = {}): Graph {
  const steps = typeof pipeline === "string" ? parsePipeline(pipeline) : pipeline;
  const log = opts.log ?? ((t: string) => process.stderr.write(t));
  const timings: Timing[] = [];
  const runner = new Runner(opts, log, timings, opts.pipelineInput ?? graph);
  const start = performance.now();
  const out = runner.steps(graph, steps, "");
  if (opts.timing) log(formatTimings(timings, performance.now() - start));
  return out;
}

class Runner {
  constructor(
    private readonly opts: RunPipelineOptions,
    private readonly log: (t: string) => void,
    private readonly timings: Timing[],
    private readonly input: Graph,
  ) {}

  steps(g: Graph, steps: readonly PipelineStep[], label: string): Graph {
    for (const s of steps) g = s.kind === "pass" ? this.pass(g, s, label) : this.fixpoint(g, s, label);
    return g;
  }

  private fixpoint(g: Graph, s: Extract<PipelineStep, { kind: "fixpoint" }>, outer: string): Graph {
    for (let round = 1; round <= s.maxRounds; round++) {
      const next = this.steps(g, s.steps, `${outer} (-${s.name} round ${round})`);
      if (sameGraph(next, g)) return next;
      g = next;
    }
    this.log(`-${s.name}: no fixed point after ${s.maxRounds} rounds; continuing with the last graph\n`);
    return g;
  }

  private pass(g: Graph, s: Extract<PipelineStep, { kind: "pass" }>, label: string): Graph {
    const name = s.pass.name;
    const explainThis = this.opts.explain?.includes(name) || this.opts.explain?.includes("all");
    const events: ExplainEvent[] = [];
    const ctx = makeContext(name, s.options, {
      explain: explainThis ? (e) => events.push(e) : undefined,
      log: (m) => this.log(`${name}: ${m}\n`),
      host: this.opts.host,
      pipelineInput: this.input,
      target: this.opts.target,
    });
    const t0 = performance.now();
    let out: Graph;
    try {
      out = runNested(s.pass, g, ctx);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      // A model or data the pass cannot take (not a crash): the user's error, exit 1, with the pass named.
      if (e instanceof ModelError) throw new ModelError(`${name}${label}: ${e.message}`);
      throw new Error(`pass ${name}${label} failed: ${errorMessage(e)}`, { cause: e });
    }
    this.timings.push({ label: `${s.text}${label}`, ms: performance.now() - t0 });
    if (explainThis) this.log(formatExplanation(name, label, events));
    if (this.opts.verifyEach) {
      const problems = verifyProblems(out);
      if (problems.length > 0) {
        throw new Error(`pass ${name}${label} produced an invalid graph:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
      }
    }
    if (this.opts.printIrAfterAll || this.opts.printIrAfter?.includes(name)) {
      const elide = this.opts.printIrWeights ? {} : { elideConstantsOver: MAX_LITERAL_ELEMENTS };
      this.log(`// ----- IR after ${s.text}${label} -----\n${printGraph(out, elide)}`);
    }
    return out;
  }
}

function formatTimings(timings: readonly Timing[], totalMs: number): string {
  const width = Math.max(5, ...timings.map((t) => t.label.length));
  const lines = ["// pass timing (ms)"];
  for (const t of timings) lines.push(`${t.label.padEnd(width)}  ${t.ms.toFixed(2).padStart(9)}`);
  lines.push(`${"total".padEnd(width)}  ${totalMs.toFixed(2).padStart(9)}`);
  return lines.join("\n") + "\n";
}

/** What the CLI collects from its flags (see `runPipelineFromOptions`). */
export interface PipelineCliOptions extends RunPipelineOptions {
  /** --passes "a,b{k=v},-O1" */
  readonly passes?: string;
}

/**
 * The entry point for the CLI: checks the pass names given to --print-ir-after and --explain,
 * parses the pipeline and runs it. Bad flags throw UsageError. (Modules of user passes are
 * loaded before, by src/adapters/pass-modules.ts: passes read no files.)
 */
export async function runPipelineFromOptions(graph: Graph, opts: PipelineCliOptions): Promise<Graph> {
  const pipeline = parsePipeline(opts.passes ?? "");
  checkDiagnosticNames(opts);
  return runPipeline(graph, pipeline, opts);
}

/** Checks the pass names given to --print-ir-after and --explain ("all" too); UsageError otherwise. */
export function checkDiagnosticNames(opts: Pick<RunPipelineOptions, "printIrAfter" | "explain">): void {
  for (const [flag, names] of [["--print-ir-after", opts.printIrAfter], ["--explain", opts.explain]] as const) {
    for (const n of names ?? []) {
      if (n === "all" && flag === "--explain") continue;
      if (!findPass(n)) {
        const near = nearest(n, allPasses().map((p) => p.name));
        throw new UsageError(`${flag}: unknown pass '${n}'${near ? `; did you mean '${near}'?` : ""}`);
      }
    }
  }
}
