// The int8 form of a fused activation that is no clamp (LeakyRelu, Sigmoid, Swish...): it becomes
// its own node again, the op writing a new pre-activation value `<output>.preact`, so that
// calibration (src/analyses/calibration) observes that value's range and the quantize pass
// lowers the op to an integer op followed by a 256-entry table of the activation
// (ir/activation.ts has the table of kinds). Clamps (Relu, Clip) stay fused: in int8 they are a
// clamp of the integer op's requantized output.
//
// The result is remembered per graph object and its value names depend only on the graph, so
// calibration, the int8 flow and the quantize pass all see the same unfused graph.
import { activationNode, activationOf, clampOf, withoutActivation } from "./activation.js";
import { makeGraph, mapSubgraphs, type Graph, type Node } from "./graph.js";
import type { TensorType } from "./types.js";

const memo = new WeakMap<Graph, Graph>();

type FusedAttrs = { activation?: string; activation_params?: readonly number[] };

/** g with every fused activation that is no clamp written as its own node (g itself when there is none). */
export function unfuseTableActivations(g: Graph): Graph {
  const known = memo.get(g);
  if (known) return known;
  const table = (n: Node) => {
    const act = activationOf(n.attrs as FusedAttrs);
    return act && !clampOf(act) ? act : undefined;
  };
  // If branches first: calibration runs through them and quantize lowers them as graphs of their own.
  let out = mapSubgraphs(g, (sub) => unfuseTableActivations(sub));
  if (out.nodes.some(table)) {
    const base = out;
    const taken = new Set<string>([...Object.keys(base.types), ...base.nodes.map((n) => n.name)]);
    const fresh = (hint: string) => {
      let name = hint;
      for (let k = 1; taken.has(name); k++) name = `${hint}_${k}`;
      taken.add(name);
      return name;
    };
    const nodes: Node[] = [];
    const types: Record<string, TensorType> = { ...base.types };
    for (const n of base.nodes) {
      const act = table(n);
      if (!act) {
        nodes.push(n);
        continue;
      }
      const y = n.outputs[0]!;
      const pre = fresh(`${y}.preact`);
      types[pre] = base.types[y]!;
      nodes.push({ ...n, outputs: [pre, ...n.outputs.slice(1)], attrs: withoutActivation(n.attrs) });
      const a = activationNode(act);
      nodes.push({ name: fresh(`${n.name}.${act.kind.toLowerCase()}`), op: a.op, inputs: [pre], outputs: [y], attrs: a.attrs });
    }
    out = makeGraph({ ...base, nodes, types });
  }
  memo.set(g, out);
  memo.set(out, out);
  return out;
}
