// Imports a model whose shape-like operands are fed as graph inputs (a Reshape shape, Slice
// starts, Pad pads, Split sizes, Tile repeats, Expand shape, Range limits...): neonc needs those
// values at import, so the graph inputs that feed them are bound to the values given for a run
// and become constants. Only those inputs are bound: an import that stops on such an operand
// (RunTimeOperandError) names the value it needed, the inputs whose values flow into it are
// found by walking the model backwards (not through Shape and Size, which read only shapes), and
// the import starts again with them bound, until it succeeds or stops for another reason.
//
// `neonc run` and the ONNX backend conformance runners share this decision.
import type { Graph } from "../../../ir/graph.js";
import { RunTimeOperandError } from "../../../ir/errors.js";
import type { Tensor } from "../../../ir/types.js";
import { lowerModel, type LowerOptions } from "./import.js";
import type { GraphProto, ModelProto, NodeProto } from "./proto.js";

/** A graph input bound because it feeds an operand needed at import. */
export interface BoundOperand {
  readonly input: string;
  /** The operand it feeds ("shape", "starts", "pads"...), of node `node` (op `op`). */
  readonly operand: string;
  readonly node: string;
  readonly op: string;
}

export interface OperandBoundGraph {
  readonly graph: Graph;
  /** The inputs bound from the given values, in the order the import needed them (empty when none). */
  readonly bound: readonly BoundOperand[];
}

/** Ops whose output depends on their input's shape only: values do not flow through them. */
const SHAPE_ONLY = new Set(["Shape", "Size"]);

/** The graph inputs (not initializers) of a model, in order. */
export function declaredInputs(model: ModelProto): string[] {
  const g = model.graph;
  const inits = new Set((g?.initializer ?? []).map((t) => t.name ?? ""));
  return (g?.input ?? []).map((vi) => vi.name ?? "").filter((n) => !inits.has(n));
}

/** Every node of a graph and of the graphs nested in its nodes' attributes. */
function allNodes(g: GraphProto | null | undefined, out: NodeProto[] = []): NodeProto[] {
  for (const n of g?.node ?? []) {
    out.push(n);
    for (const a of n.attribute ?? []) {
      if (a.g) allNodes(a.g, out);
      for (const sg of a.graphs ?? []) allNodes(sg, out);
    }
  }
  return out;
}

/** What a node's outputs are computed from: its inputs and, for If, what its branches read. */
function readsOf(n: NodeProto): string[] {
  const reads = [...(n.input ?? [])];
  for (const a of n.attribute ?? []) {
    for (const sg of [a.g, ...(a.graphs ?? [])]) for (const inner of allNodes(sg)) reads.push(...(inner.input ?? []));
  }
  return reads.filter((r) => r);
}

/** The graph inputs whose values flow into `value` (in the model's input order). */
export function inputsFeeding(model: ModelProto, value: string): string[] {
  const seen = reachedBackFrom(model, value, (n) => !SHAPE_ONLY.has(n.opType ?? ""));
  return declaredInputs(model).filter((i) => seen.has(i));
}

/** The values `value` is computed from, walking back through the nodes `through` accepts. */
function reachedBackFrom(model: ModelProto, value: string, through: (n: NodeProto) => boolean): Set<string> {
  const producer = new Map<string, NodeProto>();
  for (const n of allNodes(model.graph)) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const seen = new Set<string>();
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    const n = producer.get(v);
    if (n && through(n)) stack.push(...readsOf(n));
  }
  return seen;
}

/**
 * The graph inputs with a symbolic dim whose shapes (not values) flow into `value`: walking back
 * through every node, Shape and Size included, minus the inputs whose values flow into it.
 */
export function inputsShaping(model: ModelProto, value: string): string[] {
  const byValue = new Set(inputsFeeding(model, value));
  const seen = reachedBackFrom(model, value, () => true);
  const symbolic = new Set((model.graph?.input ?? [])
    .filter((vi) => (vi.type?.tensorType?.shape?.dim ?? []).some((d) => d.dimParam || d.dimValue === undefined || d.dimValue === null))
    .map((vi) => vi.name ?? ""));
  return declaredInputs(model).filter((i) => seen.has(i) && !byValue.has(i) && symbolic.has(i));
}

/**
 * Imports `model`, binding from `values` the graph inputs that feed operands neonc needs at
 * import. Inputs already in `options.bind` stay as given. Throws the import's own error when it
 * stops for another reason, or on an operand fed by no input or by one `values` lacks.
 */
export function importBindingOperands(model: ModelProto, options: LowerOptions, values: Readonly<Record<string, Tensor>>): OperandBoundGraph {
  const bind = { ...options.bind };
  const bound: BoundOperand[] = [];
  for (;;) {
    try {
      return { graph: lowerModel(model, { ...options, bind }), bound };
    } catch (e) {
      if (!(e instanceof RunTimeOperandError)) throw e;
      const feeding = inputsFeeding(model, e.value).filter((i) => !(i in bind));
      if (feeding.length === 0 || feeding.some((i) => values[i] === undefined)) throw e;
      for (const input of feeding) {
        bind[input] = values[input]!;
        bound.push({ input, operand: e.operand, node: e.node, op: e.op });
      }
    }
  }
}

/** The one line that says what was bound: "bound shape operands from the inputs: shape (Reshape r1), ...". */
export function describeBoundOperands(bound: readonly BoundOperand[]): string {
  const uses = bound.map((b) => `${b.input} (${b.operand === b.input ? "" : `${b.operand} of `}${b.op} ${b.node})`);
  return `bound shape operands from the inputs: ${uses.join(", ")}`;
}
