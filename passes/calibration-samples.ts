// Calibration samples for the passes that measure on data besides quantize (the scaled Winograd
// scheme's input scales, Wanda pruning's input norms): a folder the pass option names (read by the
// host), or else the samples the host hands over (the int8 flow's). Saved ranges hold no samples.
// And the one way those passes measure: the graph runs in the interpreter on the samples, and
// every value they asked for is handed to them as it is computed.
import type { Graph } from "../ir/graph.js";
import { ModelError } from "../ir/errors.js";
import type { Tensor } from "../ir/types.js";
import type { InputSample, SampleSet } from "../src/analyses/calibration/samples.js";
import { runGraph } from "../src/runtime/interpreter.js";
import type { PassContext } from "./pass.js";

/**
 * The samples `spec` names ('' : the host's), at most `limit` read from a folder; `missing` is
 * the message when there are none, `needs` what the pass needs them for (in the saved-ranges error).
 */
export function passSamples(graph: Graph, ctx: Pick<PassContext, "host">, spec: string, limit: number, missing: string, needs: string): SampleSet {
  if (spec === "") {
    const given = ctx.host.calibrationSamples;
    if (given && given.length > 0) return given;
    throw new ModelError(missing);
  }
  const data = ctx.host.calibrationData?.(spec, graph, limit);
  if (!data) throw new ModelError(`calibration=${spec}: this host cannot read it (no such folder)`);
  if (data.kind !== "samples") throw new ModelError(`calibration=${spec}: saved ranges hold no samples; ${needs} needs a folder of input .pb files`);
  return data.samples;
}

/**
 * Runs `graph` on the first `limit` of `samples` and calls `visit` with each of the `wanted`
 * values (graph inputs included) as it is computed; `onSample` after each sample.
 */
export function visitValues(graph: Graph, samples: Iterable<InputSample>, limit: number, wanted: ReadonlySet<string>, visit: (name: string, t: Tensor) => void, onSample: () => void = () => {}): void {
  if (wanted.size === 0) return;
  const seen = (name: string, t: Tensor) => { if (wanted.has(name)) visit(name, t); };
  let taken = 0;
  for (const sample of samples) {
    if (taken++ >= limit) break;
    for (const [name, t] of Object.entries(sample)) seen(name, t);
    runGraph(graph, sample, { onNode: (node, outs) => node.outputs.forEach((o, i) => o && seen(o, outs[i]!)) });
    onSample();
  }
}
