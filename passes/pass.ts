// What a pass is: a named, documented value with typed options and `run(graph, ctx) -> graph`.
//
// A pass never mutates its input graph (graphs are frozen; rewrites go through immer or build a
// new graph) and returns the very same object when it changed nothing, which is how pipelines
// detect a fixed point cheaply. Passes made of rewrite rules give `rules` instead of `run`; the
// rules run to a fixed point with `applyRules` (passes/patterns.ts).
import { mapSubgraphs, type Graph, type Node } from "../ir/graph.js";
import type { Target } from "../ir/target.js";
import type { CalibrationData, SampleSet } from "../src/analyses/calibration/samples.js";
import { resolveTypedOptions, type OptionSchema, type OptionsOf } from "./options.js";
import { applyRules, type Rule } from "./patterns.js";

/** One explanation of why a rule did or did not fire on a node (for `--explain`). */
export interface ExplainEvent {
  readonly pass: string;
  readonly node: string;
  readonly op: string;
  readonly rule: string;
  readonly fired: boolean;
  /** Why the rule declined, or what the rewrite did. */
  readonly message: string;
}

/** One long piece of work (calibration, synthesis) as the host shows it: a bar, lines, or nothing. */
export interface ProgressTask {
  /** One more step done; `detail` says what (a loss, a file name). */
  tick(detail?: string): void;
  /** The task is over; `summary`, when given, is its closing line. */
  done(summary?: string): void;
}

/** Starts a progress task of `total` steps named `task` ("calibrating"). */
export type ProgressSink = (task: string, total: number) => ProgressTask;

export const SILENT_PROGRESS: ProgressSink = () => ({ tick() {}, done() {} });

/**
 * What a pass may ask of the program that runs it. Passes never touch the file system or the
 * terminal: data they cannot make themselves (a folder of calibration inputs, a saved .json of
 * ranges) and the display of progress come from the host. The CLI and the library's
 * `nodeHost()` (src/adapters/node-host.ts) read files; a host without them says so.
 */
export interface PassHost {
  /**
   * The calibration data that `spec` names (a folder of input samples, a file of ranges), read
   * for `graph`'s inputs, at most `limit` samples; undefined when `spec` names nothing this
   * host can read. Throws a ModelError when it names something unreadable.
   */
  calibrationData?(spec: string, graph: Graph, limit: number): CalibrationData | undefined;
  /** Shows long work; default: nothing is shown. */
  readonly progress?: ProgressSink;
  /**
   * The input samples the int8 flow calibrated on, for the passes after quantize that measure
   * on data too (the scaled integer Winograd scheme picks its input scales on them).
   */
  readonly calibrationSamples?: SampleSet;
}

export interface PassContext<O = Record<string, unknown>> {
  readonly pass: string;
  readonly options: O;
  /** True when someone listens to explain events (skip building costly messages otherwise). */
  readonly explaining: boolean;
  explain(event: Omit<ExplainEvent, "pass">): void;
  /** Diagnostics meant for the user (stderr in the CLI). */
  log(message: string): void;
  /** Starts a progress task (shown by the host; silent by default). */
  progress(task: string, total: number): ProgressTask;
  /** The host's services (files, progress); empty when the pass runs on its own. */
  readonly host: PassHost;
  /**
   * The graph the pipeline started from (the pass's own input when it runs alone). The
   * synthetic calibration source reads BatchNorm statistics there after -O1 has folded them.
   */
  readonly pipelineInput: Graph | undefined;
  /** The code-generation target the pipeline lowers for, when there is one (`lower` needs it). */
  readonly target: Target | undefined;
}

export interface Pass<O = any> {
  readonly name: string;
  /** One line shown by `neonc passes`. */
  readonly doc: string;
  readonly options: OptionSchema;
  run(graph: Graph, ctx: PassContext<O>): Graph;
  /**
   * False for a pass that works on the whole model only (quantize calibrates the model's inputs):
   * it is not run inside nested graphs (If branches). Every other pass runs in each branch too,
   * which is a graph like any other.
   */
  readonly subgraphs?: false;
  /**
   * For a pass whose job is to change the numbers (prune): the options under which it must keep
   * them (`{sparsity: 0}`), which the generic keeps-the-numbers property runs it with; its own
   * property tests bound what it changes otherwise. Absent: the pass keeps the numbers as it is.
   */
  readonly keepsNumbersWith?: Readonly<Record<string, string>>;
}

interface PassSpecBase<S extends OptionSchema> {
  readonly name: string;
  readonly doc: string;
  readonly options?: S;
  /** See Pass.subgraphs. */
  readonly subgraphs?: false;
  /** See Pass.keepsNumbersWith. */
  readonly keepsNumbersWith?: Readonly<Record<string, string>>;
}
export type PassSpec<S extends OptionSchema> = PassSpecBase<S> & (
  | { run(graph: Graph, ctx: PassContext<OptionsOf<S>>): Graph; rules?: undefined }
  | { rules: readonly Rule[] | ((options: OptionsOf<S>, ctx: PassContext<OptionsOf<S>>) => readonly Rule[]); run?: undefined; maxRewrites?: number }
);

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Defines a pass; `rules` passes get a `run` that applies them to a fixed point. */
export function definePass<const S extends OptionSchema = {}>(spec: PassSpec<S>): Pass<OptionsOf<S>> {
  if (!NAME.test(spec.name)) throw new Error(`pass name '${spec.name}' must be lower-case words joined by '-'`);
  if (!spec.doc || spec.doc.includes("\n")) throw new Error(`pass '${spec.name}' needs a one-line doc`);
  const options = (spec.options ?? {}) as S;
  if (spec.rules !== undefined) {
    const rules = spec.rules;
    const maxRewrites = spec.maxRewrites;
    return {
      name: spec.name,
      doc: spec.doc,
      options,
      run: (graph, ctx) => applyRules(graph, typeof rules === "function" ? rules(ctx.options, ctx) : rules, { ctx, maxRewrites }),
      ...(spec.subgraphs === false ? { subgraphs: false } : {}),
      ...(spec.keepsNumbersWith ? { keepsNumbersWith: spec.keepsNumbersWith } : {}),
    };
  }
  return {
    name: spec.name, doc: spec.doc, options, run: spec.run,
    ...(spec.subgraphs === false ? { subgraphs: false } : {}),
    ...(spec.keepsNumbersWith ? { keepsNumbersWith: spec.keepsNumbersWith } : {}),
  };
}

/**
 * Runs a pass on g and inside its nested graphs (If branches, innermost first, so the rules on
 * the outer graph see cleaned branches), unless the pass works on whole models only.
 */
export function runNested<O>(pass: Pass<O>, g: Graph, ctx: PassContext<O>): Graph {
  const inner = pass.subgraphs === false ? g : mapSubgraphs(g, (sub) => runNested(pass, sub, ctx));
  return pass.run(inner, ctx);
}

export interface ContextInit {
  explain?: (event: ExplainEvent) => void;
  log?: (message: string) => void;
  host?: PassHost;
  pipelineInput?: Graph;
  target?: Target;
}

/** A context for running one pass directly (tests, library users); options are checked against the schema. */
export function passContext<O>(pass: Pass<O>, options: Readonly<Record<string, unknown>> = {}, init: ContextInit = {}): PassContext<O> {
  const resolved = resolveTypedOptions(pass.name, pass.options, options) as O;
  return makeContext(pass.name, resolved, init);
}

export function makeContext<O>(pass: string, options: O, init: ContextInit): PassContext<O> {
  const sink = init.explain;
  return {
    pass,
    options,
    explaining: sink !== undefined,
    explain: sink ? (e) => sink({ pass, ...e }) : () => {},
    log: init.log ?? ((m) => process.stderr.write(`${pass}: ${m}\n`)),
    progress: init.host?.progress ?? SILENT_PROGRESS,
    host: init.host ?? {},
    pipelineInput: init.pipelineInput,
    target: init.target,
  };
}

/** Runs a single pass with typed options: `runPass(g, foldBatchNorm)`. */
export function runPass<O>(graph: Graph, pass: Pass<O>, options: Readonly<Record<string, unknown>> = {}, init: ContextInit = {}): Graph {
  return runNested(pass, graph, passContext(pass, options, init));
}

/** Node description used in explanations and logs: `Conv conv_3 (-> %c)`. */
export function describeNode(n: Node): string {
  return `${n.op} ${n.name} (-> ${n.outputs.filter((o) => o).map((o) => `%${o}`).join(", ")})`;
}
