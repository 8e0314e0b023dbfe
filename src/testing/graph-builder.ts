// Builds IR graphs node by node, typing every output with the op's own type rule.
//
// Generated graphs are therefore typed exactly as the verifier expects; a type rule that
// rejects a node points at a bug in the generator, and the error names the node and the graph
// built so far.
import { makeGraph, type Attrs, type Graph, type Node } from "../../ir/graph.js";
import { resolveAttrs } from "../../ir/op.js";
import { getOp } from "../../ir/registry.js";
import { printGraph } from "../../ir/text/index.js";
import { typeOfTensor, type Tensor, type TensorType } from "../../ir/types.js";
import "../../ir/ops/index.js";

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly types: Record<string, TensorType> = {};
  private readonly constants: Record<string, Tensor> = {};
  private readonly inputs: string[] = [];
  private readonly taken = new Set<string>();

  constructor(readonly name: string) {}

  /** A name not used yet, `hint` itself when free. */
  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.taken.has(name); k++) name = `${hint}_${k}`;
    this.taken.add(name);
    return name;
  }

  input(hint: string, type: TensorType): string {
    const name = this.fresh(hint);
    this.types[name] = type;
    this.inputs.push(name);
    return name;
  }

  constant(hint: string, t: Tensor): string {
    const name = this.fresh(hint);
    this.constants[name] = t;
    this.types[name] = typeOfTensor(t);
    return name;
  }

  typeOf(name: string): TensorType {
    const t = this.types[name];
    if (!t) throw new Error(`GraphBuilder: no value named ${name}`);
    return t;
  }

  /** Adds a node with `outputs` outputs named from `hint` and returns their names. */
  node(op: string, inputs: readonly string[], attrs: Attrs, hint: string, outputs = 1): string[] {
    const def = getOp(op);
    const inTypes = inputs.map((i) => (i === "" ? undefined : this.typeOf(i)));
    let outTypes: TensorType[];
    try {
      outTypes = def.infer(inTypes, resolveAttrs(def, attrs), {
        numOutputs: outputs,
        constant: (k: number) => this.constants[inputs[k] ?? ""],
      });
    } catch (e) {
      const partial = printGraph(this.build(this.inputs, []));
      throw new Error(`generated ${op} node on ${inputs.join(", ")} ${JSON.stringify(attrs)} is ill-typed: ${e instanceof Error ? e.message : String(e)}\n${partial}`);
    }
    const names = Array.from({ length: outputs }, (_, k) => this.fresh(k === 0 ? hint : `${hint}.${k}`));
    names.forEach((n, k) => {
      this.types[n] = outTypes[k]!;
    });
    this.nodes.push({ name: names[0]!, op, inputs: [...inputs], outputs: names, attrs });
    return names;
  }

  nodeCount(): number {
    return this.nodes.length;
  }

  build(inputs: readonly string[], outputs: readonly string[], meta?: Record<string, string>): Graph {
    const g: Graph = {
      name: this.name, inputs: [...inputs], outputs: [...outputs],
      nodes: [...this.nodes], types: { ...this.types }, constants: { ...this.constants },
    };
    return makeGraph(meta ? { ...g, meta } : g);
  }
}
