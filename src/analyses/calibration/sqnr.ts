// Per-layer quantization report data: for every float layer the quantize pass lowered, the
// signal-to-quantization-noise ratio of its integer output (dequantized) against the float
// model's, the weight bytes before and after, and the MACs; plus the end-to-end SQNR of every
// graph output and the model sizes.
//
// SQNR = 10 log10(sum f^2 / sum (f - q)^2) over all samples. Layers are matched by the value
// names the pass records in the quantized graph's metadata (float name -> int version).
import { byteSize } from "../../../ir/dtype.js";
import { evalDim } from "../../../ir/dim.js";
import { subgraphsOf, type Graph, type Node } from "../../../ir/graph.js";
import { resolveAttrs } from "../../../ir/op.js";
import { getOp } from "../../../ir/registry.js";
import type { Tensor } from "../../../ir/types.js";
import { bindSymbols, runGraph } from "../../runtime/interpreter.js";
import { withFastEngine } from "../../runtime/fast/index.js";
import { unfuseTableActivations } from "../../../ir/unfuse-activations.js";
import { QUANTIZED_VALUES_META, type QuantizedValue } from "./quantized-values.js";

export interface LayerReport {
  /** The float node's name and op. */
  readonly node: string;
  readonly op: string;
  /** Its output value (float graph) and the integer op computing it. */
  readonly value: string;
  readonly intOp: string;
  readonly sqnrDb: number;
  readonly weightBytesFloat: number;
  readonly weightBytesInt: number;
  /** MACs of one run on the first sample's shapes (0 for ops without MACs). */
  readonly macs: number;
}

export interface SqnrReport {
  readonly layers: readonly LayerReport[];
  readonly outputs: readonly { readonly name: string; readonly sqnrDb: number }[];
  /** Bytes of all constants of each graph. */
  readonly modelBytesFloat: number;
  readonly modelBytesInt: number;
  readonly samples: number;
}

class Power {
  signal = 0;
  noise = 0;
  seen = false;
  add(f: ArrayLike<number>, q: ArrayLike<number>, scale = 1, zp = 0, dequant = false): void {
    this.seen = true;
    for (let i = 0; i < f.length; i++) {
      const a = f[i]!;
      const b = dequant ? (q[i]! - zp) * scale : q[i]!;
      this.signal += a * a;
      this.noise += (a - b) * (a - b);
    }
  }
  db(): number {
    if (this.noise === 0) return Infinity;
    return 10 * Math.log10(this.signal / this.noise);
  }
}

function tensorBytes(t: Tensor): number {
  return t.data.length * byteSize(t.dtype);
}

function constantBytes(g: Graph, n: Node): number {
  let s = 0;
  for (const i of n.inputs) if (i && g.constants[i]) s += tensorBytes(g.constants[i]!);
  return s;
}

/**
 * Runs both graphs on the samples and compares them layer by layer. A fused activation that int8
 * computes as a table after the op is its own layer, as the quantize pass made it
 * (ir/unfuse-activations.ts).
 */
export function sqnrReport(fusedFloat: Graph, quantGraph: Graph, samples: Iterable<Readonly<Record<string, Tensor>>>, options: SqnrOptions = {}): SqnrReport {
  return withFastEngine(options.fastEngine, () => measure(fusedFloat, quantGraph, samples));
}

export interface SqnrOptions {
  /** Run the heavy kernels on the fast engine (src/runtime/fast: the same numbers, faster). Default true. */
  readonly fastEngine?: boolean;
}

function measure(fusedFloat: Graph, quantGraph: Graph, samples: Iterable<Readonly<Record<string, Tensor>>>): SqnrReport {
  const floatGraph = unfuseTableActivations(fusedFloat);
  const text = quantGraph.meta?.[QUANTIZED_VALUES_META];
  if (!text) throw new Error("the second graph was not produced by the quantize pass (no quantized-values metadata)");
  const map = JSON.parse(text) as Record<string, QuantizedValue>;
  // Layers inside If branches count too; each node's own graph holds its weights and types.
  const floatHome = homes(floatGraph), intHome = homes(quantGraph);
  const intProducer = new Map<string, Node>();
  for (const n of intHome.keys()) for (const o of n.outputs) intProducer.set(o, n);
  const candidates = [...floatHome.keys()].filter((n) => n.outputs[0] && map[n.outputs[0]] && intProducer.get(map[n.outputs[0]]!.int)?.op !== "Quantize");
  const intNames = new Map(candidates.map((n) => [map[n.outputs[0]!]!.int, n.outputs[0]!]));
  const power = new Map(candidates.map((n) => [n.outputs[0]!, new Power()]));
  const outPower = new Map(floatGraph.outputs.map((o) => [o, new Power()]));
  let count = 0;
  let env: Record<string, number> | undefined;
  for (const s of samples) {
    env ??= bindSymbols(floatGraph, s);
    const floats = new Map<string, Tensor>();
    const fOut = runGraph(floatGraph, s, { onNode: (n, outs) => { if (power.has(n.outputs[0]!)) floats.set(n.outputs[0]!, outs[0]!); } });
    const qOut = runGraph(quantGraph, s, {
      onNode: (n, outs) => {
        const f = intNames.get(n.outputs[0]!);
        const fl = f === undefined ? undefined : floats.get(f);
        if (f === undefined || !fl) return;
        const q = map[f]!;
        power.get(f)!.add(fl.data as Float32Array, outs[0]!.data as Int8Array | Int16Array, q.scale, q.zeroPoint, true);
      },
    });
    for (const o of floatGraph.outputs) outPower.get(o)!.add(fOut[o]!.data as Float32Array, qOut[o]!.data as Float32Array);
    count++;
  }
  if (count === 0) throw new Error("the SQNR report needs at least one sample");
  // A layer of a branch no sample took has nothing to report.
  const layers = candidates.filter((n) => power.get(n.outputs[0]!)!.seen);
  const report: LayerReport[] = layers.map((n) => {
    const o = n.outputs[0]!;
    const intNode = intProducer.get(map[o]!.int)!;
    return {
      node: n.name, op: n.op, value: o, intOp: intNode.op, sqnrDb: power.get(o)!.db(),
      weightBytesFloat: constantBytes(floatHome.get(n)!, n), weightBytesInt: constantBytes(intHome.get(intNode)!, intNode),
      macs: macsOf(floatHome.get(n)!, n, env ?? {}),
    };
  });
  const total = (g: Graph) => Object.values(g.constants).reduce((s, t) => s + tensorBytes(t), 0);
  return {
    layers: report,
    outputs: floatGraph.outputs.map((o) => ({ name: o, sqnrDb: outPower.get(o)!.db() })),
    modelBytesFloat: total(floatGraph), modelBytesInt: total(quantGraph), samples: count,
  };
}

/** Every node of g and of its If branches, with the graph that holds it. */
function homes(g: Graph, out = new Map<Node, Graph>()): Map<Node, Graph> {
  for (const n of g.nodes) {
    out.set(n, g);
    for (const [, sub] of subgraphsOf(n)) homes(sub, out);
  }
  return out;
}

function macsOf(g: Graph, n: Node, env: Record<string, number>): number {
  const def = getOp(n.op);
  if (!def.macs) return 0;
  try {
    const d = def.macs(n.inputs.map((i) => (i ? g.types[i] : undefined)), n.outputs.map((o) => g.types[o]!), resolveAttrs(def, n.attrs));
    return evalDim(d, env);
  } catch {
    return 0;
  }
}
