// The CLI's import of models quantized elsewhere: every command that reads a model asks here.
//
// A model with QuantizeLinear/DequantizeLinear nodes, QLinear*/ConvInteger/MatMulInteger ops, or
// com.microsoft quantized ops was quantized by some tool (onnxruntime's, neonc's own export...).
// The plain import would fold its weight DequantizeLinear nodes into float weights and lose the
// integers, so such a model goes through importQdqModel (the `import-qdq` pass), and one line on
// stderr says so: how many nodes became integer ops and which stayed float (`--explain
// import-qdq` gives the reason per node). `--no-import-qdq` keeps the plain float import.
import type { Command } from "commander";
import type { Graph } from "../../../ir/graph.js";
import { formatExplanation } from "../../../passes/explain.js";
import type { ExplainEvent } from "../../../passes/pass.js";
import { formatQdqSummary } from "../../../passes/import-qdq/index.js";
import { UsageError } from "../../../ir/errors.js";
import { decodeModel } from "../../adapters/onnx/index.js";
import { lowerModel } from "../../adapters/onnx/import.js";
import type { ModelProto } from "../../adapters/onnx/proto.js";
import { importQdqModel } from "../../adapters/onnx/qdq-import.js";

const QDQ_OPS = new Set(["QuantizeLinear", "DequantizeLinear"]);
const QOPERATOR_OPS = new Set(["QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear"]);
const DEFAULT_DOMAINS = new Set(["", "ai.onnx"]);

export interface QdqFlags {
  /** false with --no-import-qdq. */
  importQdq?: boolean;
  explain?: string[];
  int8?: boolean;
}

/** Adds --no-import-qdq to a command that reads a model. */
export function addQdqFlag(cmd: Command): Command {
  return cmd.option("--no-import-qdq", "import a quantized (QDQ / QOperator) model as float instead of lowering it to integer ops");
}

/** What makes a model quantized: "QDQ (12 QuantizeLinear, 30 DequantizeLinear)", or undefined. */
export function describeQuantized(model: ModelProto): string | undefined {
  const counts = new Map<string, number>();
  let qdq = false, qop = false;
  for (const n of model.graph?.node ?? []) {
    const op = n.opType ?? "", domain = n.domain ?? "";
    const isQdq = QDQ_OPS.has(op);
    const isQop = DEFAULT_DOMAINS.has(domain) ? QOPERATOR_OPS.has(op) : domain === "com.microsoft" && (/^Q/.test(op) || /Quantize|Integer/.test(op));
    if (!isQdq && !isQop) continue;
    qdq ||= isQdq;
    qop ||= isQop;
    const key = DEFAULT_DOMAINS.has(domain) ? op : `${domain}.${op}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  const format = qdq && qop ? "QDQ and QOperator" : qdq ? "QDQ" : "QOperator";
  return `${format}: ${[...counts].sort((a, b) => b[1] - a[1]).map(([op, k]) => `${k} ${op}`).join(", ")}`;
}

/**
 * Imports model bytes: through import-qdq when the model is quantized (unless --no-import-qdq),
 * printing the one-line summary (and the per-node explanation with --explain import-qdq|all).
 */
export function importDetecting(bytes: Uint8Array, file: string, baseDir: string, flags: QdqFlags): Graph {
  const model = decodeModel(bytes, file);
  const quantized = describeQuantized(model);
  if (!quantized || flags.importQdq === false) return lowerModel(model, { where: file, baseDir });
  if (flags.int8) {
    throw new UsageError(`${file} is already quantized (${quantized}); drop --int8, or add --no-import-qdq to import it as float and quantize it again`);
  }
  const explain = flags.explain?.includes("import-qdq") || flags.explain?.includes("all");
  const events: ExplainEvent[] = [];
  const { graph, summary } = importQdqModel(model, file, baseDir, {
    log: (m) => process.stderr.write(`import-qdq: ${m}\n`),
    explain: explain ? (e) => events.push({ pass: "import-qdq", node: e.node, op: e.op, rule: "import-qdq", fired: e.fired, message: e.message }) : undefined,
  });
  process.stderr.write(`${file}: quantized model (${quantized}) imported through import-qdq: ${formatQdqSummary(summary)}\n`);
  if (explain) process.stderr.write(formatExplanation("import-qdq", " (import)", events));
  return graph;
}
