// Finite-difference checks of the gradient rules: one op in an f64 graph, a random linear loss
// on its outputs, the tape's gradient against central differences of the interpreter's forward.
import { expect } from "vitest";
import type { Attrs } from "../../../../ir/graph.js";
import { makeTensor, numel, typeOfTensor, type Tensor } from "../../../../ir/types.js";
import { backward, forwardWithTape } from "../../../../src/analyses/autodiff/index.js";
import { runGraph } from "../../../../src/runtime/interpreter.js";
import { GraphBuilder, Rng, seededTensor } from "../../../../src/testing/index.js";

/** An f64 tensor of uniform values in [lo, hi) from rng (neonc/testing's seededTensor). */
export const randomF64 = (rng: Rng, shape: readonly number[], lo = -1, hi = 1): Tensor => seededTensor(rng, "f64", shape, { values: { min: lo, max: hi } });

export interface CheckOptions {
  /** Indices of inputs that are constants of the graph (no gradient checked). */
  readonly constant?: readonly number[];
  readonly numOutputs?: number;
  /** Coordinates probed per input (all of them when the input is smaller). */
  readonly probes?: number;
  readonly seed?: number;
}

/**
 * Checks d(sum_k r_k . y_k)/d(input) from `backward` against central differences for every
 * non-constant input of `op`; returns the largest error seen (relative to the gradient scale).
 */
export function checkGradient(op: string, inputs: readonly (Tensor | undefined)[], attrs: Attrs, o: CheckOptions = {}): number {
  const rng = new Rng(o.seed ?? 7);
  const b = new GraphBuilder(`grad_${op}`);
  const names = inputs.map((t, i) => {
    if (!t) return "";
    return o.constant?.includes(i) ? b.constant(`c${i}`, t) : b.input(`x${i}`, typeOfTensor(t));
  });
  const outs = b.node(op, names, attrs, "y", o.numOutputs ?? 1);
  const g = b.build(names.filter((n, i) => n && !o.constant?.includes(i)), outs);
  const feed: Record<string, Tensor> = {};
  g.inputs.forEach((n) => { feed[n] = inputs[names.indexOf(n)]!; });

  const tape = forwardWithTape(g, feed);
  const weights: Record<string, Tensor> = {};
  for (const y of outs) weights[y] = randomF64(rng, tape.values.get(y)!.shape);
  const loss = (f: Record<string, Tensor>) => {
    const r = runGraph(g, f);
    let s = 0;
    for (const y of outs) {
      const v = r[y]!.data as Float64Array, w = weights[y]!.data as Float64Array;
      for (let i = 0; i < v.length; i++) s += v[i]! * w[i]!;
    }
    return s;
  };
  const grads = backward(tape, weights);
  let worst = 0;
  const h = 1e-6;
  for (const name of g.inputs) {
    const x = feed[name]!;
    const ana = grads[name]!.data as Float64Array;
    expect(ana.length).toBe(numel(x.shape));
    const scale = Math.max(1, ...Array.from(ana, Math.abs));
    const n = ana.length;
    const probes = Math.min(n, o.probes ?? 24);
    for (let p = 0; p < probes; p++) {
      const i = probes === n ? p : rng.int(0, n - 1);
      const at = (delta: number) => {
        const d = (x.data as Float64Array).slice();
        d[i] += delta;
        return loss({ ...feed, [name]: makeTensor("f64", x.shape, d) });
      };
      const num = (at(h) - at(-h)) / (2 * h);
      const err = Math.abs(num - ana[i]!) / scale;
      worst = Math.max(worst, err);
      if (err > 1e-5) throw new Error(`${op}: d/d${name}[${i}] is ${ana[i]} by backward, ${num} by finite differences`);
    }
  }
  return worst;
}
