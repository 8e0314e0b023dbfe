// The `import-qdq` pass: a model quantized elsewhere (QDQ or QOperator ONNX) into the integer IR.
//
// QDQ models spell integer arithmetic as float ops between DequantizeLinear and QuantizeLinear
// (onnxruntime's quantization tool, or neonc's own export). This pass finds each
// DQ -> op [-> Relu/Clip] -> Q group and writes the integer op the quantize pass would have made
// (passes/import-qdq/index/groups.ts: QConv, QMatMul from MatMul or Gemm, QAdd, QMul, QConcat, QLookup,
// data movement on int8). QOperator models name the integer ops directly: QLinearConv /
// QLinearMatMul / com.microsoft QGemm become QConv / QMatMul (qlinear.ts), and the other
// com.microsoft QLinear ops become QAdd, QMul, QLookup, QConcat, QSoftmax, QConv (contrib.ts).
// Every requantization rounds "half-even", the rounding the ONNX formats specify, so the generated
// integer kernels compute what the format means. What does not match stays in float behind
// Dequantize / Quantize (or in its QLinear form), and the summary says which nodes and why.
// It needs the DequantizeLinear nodes of constant weights unfolded: import with `importQdqBytes`
// (src/adapters/onnx/qdq-import.ts).
import type { Graph, Node } from "../../ir/graph.js";
import { makeGraph } from "../../ir/graph.js";
import type { Tensor, TensorType } from "../../ir/types.js";
import { lowerQLinearBinary, lowerQLinearConcat, lowerQLinearGlobalAveragePool, lowerQLinearSoftmax, lowerQLinearUnary } from "./contrib.js";
import { lowerBinary, lowerConcat, lowerConv, lowerGemm, lowerLookup, lowerMatMul, lowerPassThrough, lowerQuantize } from "./groups.js";
import { QdqLowering, type Lower, type QdqOptions } from "./lowering.js";
import { lowerQGemm, lowerQLinear } from "./qlinear.js";
import type { QdqFloatNode, QdqSummary } from "./summary.js";
import { definePass } from "../pass.js";
import { isUnaryElementwise, passesInt8Through } from "../../ir/traits.js";

export type { QdqOptions } from "./lowering.js";
export { formatQdqSummary, integerCount, type QdqFloatNode, type QdqSummary } from "./summary.js";

const LOWERINGS: Readonly<Record<string, Lower>> = {
  Conv: lowerConv,
  MatMul: lowerMatMul,
  Gemm: lowerGemm,
  Add: lowerBinary,
  Mul: lowerBinary,
  Concat: lowerConcat,
  QLinearConv: lowerQLinear,
  QLinearMatMul: lowerQLinear,
  QGemm: lowerQGemm,
  QLinearAdd: lowerQLinearBinary,
  QLinearMul: lowerQLinearBinary,
  QLinearSigmoid: lowerQLinearUnary,
  QLinearLeakyRelu: lowerQLinearUnary,
  QLinearConcat: lowerQLinearConcat,
  QLinearSoftmax: lowerQLinearSoftmax,
  QLinearGlobalAveragePool: lowerQLinearGlobalAveragePool,
};

/** The lowering of `op`: its own, a table for a unary element-wise op, or data movement on 8 bits (traits). */
function lowerFor(op: string): Lower | undefined {
  return LOWERINGS[op] ?? (isUnaryElementwise(op) ? lowerLookup : passesInt8Through(op) ? lowerPassThrough : undefined);
}

/** The ops that make a graph quantized: QDQ pairs and the QOperator ops this pass lowers. */
const QUANTIZED_OPS = new Set(["DequantizeLinear", "QuantizeLinear", ...Object.keys(LOWERINGS).filter((op) => op.startsWith("Q"))]);

/** True when g has ops this pass lowers. */
export function hasQuantizedOps(g: Graph): boolean {
  return g.nodes.some((n) => QUANTIZED_OPS.has(n.op));
}

export interface QdqEvent {
  readonly node: string;
  readonly op: string;
  readonly fired: boolean;
  /** The integer op written, or why the node stays as it is. */
  readonly message: string;
}

export interface QdqRunOptions extends QdqOptions {
  /** Called once per original node the pass considered (for `--explain import-qdq`). */
  readonly explain?: (e: QdqEvent) => void;
}

/**
 * Runs one lowering; parameters the integer ops cannot hold (a requantization multiplier of 2^30
 * or more, say) make it decline with the reason instead of failing the import.
 */
function tryLower(lower: Lower, n: Node, L: QdqLowering): true | string {
  const before = L.nodes.length;
  try {
    return lower(n, L);
  } catch (e) {
    L.nodes.length = before;
    return e instanceof Error ? e.message : String(e);
  }
}

/** Lowers the QDQ / QOperator parts of g to integer ops and says what it did (see the file comment). */
export function importQdqWithSummary(g: Graph, options: QdqRunOptions = {}): { graph: Graph; summary: QdqSummary } {
  const L = new QdqLowering(g, options);
  const float: QdqFloatNode[] = [];
  const keepFloat = (n: Node, reason: string) => {
    float.push({ node: n.name, op: n.op, reason });
    options.explain?.({ node: n.name, op: n.op, fired: false, message: reason });
  };
  // Every DequantizeLinear first: a group may read one written after its op (a bias, say).
  const recorded = new Set(g.nodes.filter((n) => n.op === "DequantizeLinear" && L.recordDeq(n)));
  for (const n of g.nodes) {
    if (L.done.has(n) || recorded.has(n)) continue;
    const fired = () => {
      const to = L.lowered.get(n.name);
      if (!to) return false;
      const message = to === n.op ? `${to} on the 8-bit values (data movement, no arithmetic)` : `${to} (rounding half-even)`;
      options.explain?.({ node: n.name, op: n.op, fired: true, message });
      return true;
    };
    if (n.op === "QuantizeLinear" && lowerQuantize(n, L)) {
      fired();
      continue;
    }
    const lower = lowerFor(n.op);
    const r = lower ? tryLower(lower, n, L) : n.op === "QuantizeLinear" ? "its scale and zero point are not constant per-tensor values" : undefined;
    if (r === true) {
      if (!fired()) keepFloat(n, L.keptFloat.get(n.name) ?? "kept in float");
      continue;
    }
    // A DequantizeLinear left as it is (run-time parameters) is a boundary, not a float op.
    if (r !== undefined || n.op !== "DequantizeLinear") keepFloat(n, r ?? `no integer lowering for ${n.op}`);
    L.nodes.push({ ...n, inputs: n.inputs.map((i) => L.float(i)) });
  }
  for (const o of g.outputs) L.float(o);
  const live = new Set<string>(g.inputs);
  for (const n of L.nodes) {
    for (const i of n.inputs) if (i) live.add(i);
    for (const o of n.outputs) if (o) live.add(o);
  }
  for (const o of g.outputs) live.add(o);
  const constants: Record<string, Tensor> = {};
  const types: Record<string, TensorType> = {};
  for (const v of live) {
    if (L.constants[v]) constants[v] = L.constants[v]!;
    if (L.types[v]) types[v] = L.types[v]!;
  }
  const integer: Record<string, number> = {};
  for (const op of L.lowered.values()) integer[op] = (integer[op] ?? 0) + 1;
  return { graph: makeGraph({ ...g, nodes: L.nodes, constants, types }), summary: { integer, float, blockedWeights: [...L.blocked] } };
}

/** Lowers the QDQ / QOperator parts of g to integer ops (see the file comment). */
export function importQdqGraph(g: Graph, options: QdqRunOptions = {}): Graph {
  return importQdqWithSummary(g, options).graph;
}

export const importQdq = definePass({
  name: "import-qdq",
  // QDQ groups are matched over the whole model; If branches keep what they hold.
  subgraphs: false,
  doc: "Lowers QDQ groups and QLinear/com.microsoft QOperator ops of an imported quantized model to integer ops (half-even rounding).",
  run: (g, ctx) => {
    if (!hasQuantizedOps(g)) return g;
    return importQdqGraph(g, {
      log: (m) => ctx.log(m),
      explain: ctx.explaining ? (e) => ctx.explain({ node: e.node, op: e.op, rule: "import-qdq", fired: e.fired, message: e.message }) : undefined,
    });
  },
});
