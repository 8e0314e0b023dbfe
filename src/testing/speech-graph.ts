// Random well-typed speech-model graphs for property tests of passes: Conv1d stacks (grouped,
// depthwise, strided, dilated, padded), BatchNormalization, activations, residual Adds,
// MatMul/Gemm on transposed or flattened features, Reshape, Concat on channels, Softmax... on
// an input f32[1,C,T] whose time axis is the symbol T (or sometimes a number).
//
// A graph is built from a plan (speech-plan.ts), so fast-check shrinks a failing graph by
// shrinking its plan. Every graph accepts any T >= SAFE_T (and usually smaller ones too:
// `symbolRange` in inputs.ts finds the smallest T a given graph accepts).
import fc from "fast-check";
import { evalDim, isSymbolic, sym, type Dim } from "../../ir/dim.js";
import type { Graph } from "../../ir/graph.js";
import { GraphBuilder } from "./graph-builder.js";
import { applyLayer, type Activation, type LayerEnv } from "./speech-layers.js";
import { arbPlan, speechOps, type PlanOptions, type SpeechOp, type SpeechPlan } from "./speech-plan.js";

export type SpeechGraphOptions = PlanOptions;

/** Every generated graph with a symbolic T runs for all T >= SAFE_T. */
export const SAFE_T = 16;

/** Random speech graphs; `options.ops` restricts (and `weights` biases) the layers drawn. */
export function arbSpeechGraph(options: SpeechGraphOptions = {}): fc.Arbitrary<Graph> {
  return arbPlan(options).map((plan) => buildSpeechGraph(plan, options));
}

/** The graph of a plan (deterministic: the same plan always gives the same graph). */
export function buildSpeechGraph(plan: SpeechPlan, options: Pick<SpeechGraphOptions, "ops" | "maxChannels"> = {}): Graph {
  const ops: readonly SpeechOp[] = options.ops ?? speechOps();
  const b = new GraphBuilder("speech");
  const T: Dim = plan.symbolicT ? sym("T") : plan.fixedT;
  const x = b.input("x", { dtype: "f32", shape: [1, plan.channels, T] });
  const env: LayerEnv = {
    b,
    pool: [],
    maxChannels: Math.max(options.maxChannels ?? 16, plan.channels),
    has: (op) => ops.includes(op),
    lengthOk: (L) => (isSymbolic(L) ? evalDim(L, { T: SAFE_T }) >= 1 : L >= 1),
  };
  let cur: Activation = { name: x, layout: "nct", C: plan.channels, L: T };
  env.pool.push(cur);
  plan.layers.forEach((layer, i) => {
    cur = applyLayer(env, cur, layer, i);
  });
  const outputs = [cur.name];
  if (plan.extraOutput !== null) {
    const inner = env.pool.filter((a) => a.name !== x && a.name !== cur.name);
    if (inner.length > 0) outputs.push(inner[plan.extraOutput % inner.length]!.name);
  }
  return b.build([x], outputs);
}
