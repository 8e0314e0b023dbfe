// Loads the model a command (or a library user) works on: the file checks first, then the import,
// which recognises a model quantized elsewhere.
//
// A model with QuantizeLinear/DequantizeLinear nodes, QLinear*/ConvInteger/MatMulInteger ops, or
// com.microsoft quantized ops was quantized by some tool (onnxruntime's, neonc's own export...).
// The plain import would fold its weight DequantizeLinear nodes into float weights and lose the
// integers, so such a model goes through importQdqModel (the `import-qdq` pass), and one line
// (stderr by default) says so: how many nodes became integer ops and which stayed float
// (`explain: ["import-qdq"]` gives the reason per node). `importQdq: false` keeps the plain import.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Graph } from "../../../ir/graph.js";
import { ModelError, RunTimeOperandError, UsageError } from "../../../ir/errors.js";
import { formatExplanation } from "../../../passes/explain.js";
import type { ExplainEvent } from "../../../passes/pass.js";
import { formatQdqSummary } from "../../../passes/import-qdq/index.js";
import { fsReason } from "../fs-errors.js";
import { decodeModel } from "./index.js";
import { lowerModel, RunTimeIfError } from "./import.js";
import type { ModelProto } from "./proto.js";
import { importQdqModel } from "./qdq-import.js";
import type { Tensor } from "../../../ir/types.js";
import type { BindValue } from "./bind-value.js";
import type { InputShapes } from "./input-shapes.js";
import { declaredInputs, importBindingOperands, inputsFeeding, inputsShaping, type OperandBoundGraph } from "./operand-binding.js";

export interface LoadModelOptions {
  /** false: import a quantized model as float (the CLI's --no-import-qdq). */
  readonly importQdq?: boolean;
  /** Pass names to explain; "import-qdq" or "all" adds the per-node reasons of import-qdq. */
  readonly explain?: readonly string[];
  /** The model is about to be quantized: an already quantized one is then a usage error. */
  readonly int8?: boolean;
  /** Where the import-qdq lines go (default: stderr). */
  readonly log?: (text: string) => void;
  /** Graph inputs bound to values at import (the CLI's --bind; see ./bind-value.ts). */
  readonly bind?: Readonly<Record<string, BindValue>>;
  /** Graph inputs whose symbolic dims are fixed at import (the CLI's --input-shape; see ./input-shapes.ts). */
  readonly inputShapes?: InputShapes;
}

/**
 * Imports an ONNX model file, or throws a ModelError naming the file and the problem. A model
 * quantized elsewhere goes through import-qdq unless `importQdq` is false.
 */
export function loadModel(file: string, options: LoadModelOptions = {}): Graph {
  const model = decodeModel(readModelFile(file), file);
  return withBindHint(model, () => importDecoded(model, file, path.dirname(file), options));
}

/**
 * An operand needed at import that graph inputs feed: the error says which inputs to bind. An If
 * whose branches cannot be lowered under a run-time condition: it says which input dims to fix
 * (and which inputs to bind) so that the condition is known at import.
 */
function withBindHint<T>(model: ModelProto, load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (e instanceof RunTimeIfError) {
      const { byShape, byValue } = conditionInputs(model, e.conditions);
      throw new SpecializationNeeded(e.message + runTimeIfHint(model, byShape, byValue), byShape, byValue);
    }
    if (!(e instanceof RunTimeOperandError)) throw e;
    const inputs = inputsFeeding(model, e.value);
    if (inputs.length === 0) throw e;
    const list = inputs.map((i) => `"${i}"`).join(", ");
    const hint = `; it comes from the model input${inputs.length > 1 ? "s" : ""} ${list}: give ${inputs.length > 1 ? "their values" : "its value"} with ${inputs.map((i) => `--bind ${i}=VALUE`).join(" ")} (the import option bind)`;
    throw new RunTimeOperandError(e.message + hint, e.value, e.operand, e.node, e.op);
  }
}

/**
 * An If that cannot be imported under a run-time condition: the model needs a specialization, the
 * inputs whose dims (`byShape`) or values (`byValue`) decide the condition. `neonc check` and
 * `neonc run` import it once per kind of input set they are given (./specialize-sets.ts).
 */
export class SpecializationNeeded extends ModelError {
  constructor(message: string, readonly byShape: readonly string[], readonly byValue: readonly string[]) {
    super(message);
    this.name = "SpecializationNeeded";
  }
}

/** The model inputs that decide the conditions: read by value (bind them), or only by shape (fix their dims). */
function conditionInputs(model: ModelProto, conditions: readonly string[]): { byShape: string[]; byValue: string[] } {
  const byValue = [...new Set(conditions.flatMap((c) => inputsFeeding(model, c)))];
  const byShape = [...new Set(conditions.flatMap((c) => inputsShaping(model, c)))].filter((i) => !byValue.includes(i));
  return { byShape, byValue };
}

/** What would decide the conditions at import: --input-shape for inputs read by shape, --bind for inputs read by value. */
function runTimeIfHint(model: ModelProto, byShape: readonly string[], byValue: readonly string[]): string {
  if (byValue.length === 0 && byShape.length === 0) return "";
  const dims = (name: string) => {
    const vi = (model.graph?.input ?? []).find((v) => v.name === name);
    return (vi?.type?.tensorType?.shape?.dim ?? []).map((d, i) => d.dimParam || (d.dimValue === undefined || d.dimValue === null ? `D${i + 1}` : String(d.dimValue))).join(",");
  };
  const fixes = [
    ...byShape.map((i) => `--input-shape ${i}=${dims(i)} with numbers for the symbolic dims`),
    ...byValue.map((i) => `--bind ${i}=VALUE`),
  ];
  const options = [byShape.length > 0 ? "inputShapes" : "", byValue.length > 0 ? "bind" : ""].filter((o) => o).join(" and ");
  return `; to decide it at import and keep only the branch taken, give ${fixes.join(" and ")} (the import option${options.includes(" and ") ? "s" : ""} ${options})`;
}

/** A model file read and decoded once, to import for runs whose inputs may feed operands needed at import. */
export interface OpenedModel {
  /** The graph inputs a run gives (those not bound by `bind`), in order. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /**
   * Imports it as loadModel does; with `values`, the inputs that feed shape-like operands are
   * bound from them (./operand-binding.ts) and listed in `bound`.
   */
  load(values?: Readonly<Record<string, Tensor>>): OperandBoundGraph;
}

export function openModel(file: string, options: LoadModelOptions = {}): OpenedModel {
  const model = decodeModel(readModelFile(file), file);
  const bound = new Set(Object.keys(options.bind ?? {}));
  return {
    inputs: declaredInputs(model).filter((n) => !bound.has(n)),
    outputs: (model.graph?.output ?? []).map((o) => o.name ?? ""),
    load(values) {
      // A model quantized elsewhere has its own import; operands are bound on the plain one only.
      if (!values || (describeQuantized(model) && options.importQdq !== false)) {
        return { graph: withBindHint(model, () => importDecoded(model, file, path.dirname(file), options)), bound: [] };
      }
      return withBindHint(model, () => importBindingOperands(model, { where: file, baseDir: path.dirname(file), bind: options.bind, inputShapes: options.inputShapes }, values));
    },
  };
}

function readModelFile(file: string): Uint8Array {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (e) {
    throw new ModelError(`${file}: cannot read the model (${fsReason(e)})`);
  }
  if (!isFile) throw new ModelError(`${file}: the model path is not a file`);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ModelError(`${file}: cannot read the model (${fsReason(e)})`);
  }
}

const QDQ_OPS = new Set(["QuantizeLinear", "DequantizeLinear"]);
const QOPERATOR_OPS = new Set(["QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear"]);
const DEFAULT_DOMAINS = new Set(["", "ai.onnx"]);

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
 * Imports model bytes: through import-qdq when the model is quantized (unless importQdq is false),
 * logging the one-line summary (and the per-node explanation when `explain` names import-qdq or all).
 */
export function importDetecting(bytes: Uint8Array, file: string, baseDir: string, flags: LoadModelOptions = {}): Graph {
  return importDecoded(decodeModel(bytes, file), file, baseDir, flags);
}

function importDecoded(model: ModelProto, file: string, baseDir: string, flags: LoadModelOptions): Graph {
  const quantized = describeQuantized(model);
  if (!quantized || flags.importQdq === false) return lowerModel(model, { where: file, baseDir, bind: flags.bind, inputShapes: flags.inputShapes });
  if (flags.int8) {
    throw new UsageError(`${file} is already quantized (${quantized}); drop --int8, or add --no-import-qdq to import it as float and quantize it again`);
  }
  const log = flags.log ?? ((t: string) => process.stderr.write(t));
  const explain = flags.explain?.includes("import-qdq") || flags.explain?.includes("all");
  const events: ExplainEvent[] = [];
  const { graph, summary } = importQdqModel(model, file, baseDir, {
    bind: flags.bind,
    inputShapes: flags.inputShapes,
    log: (m) => log(`import-qdq: ${m}\n`),
    explain: explain ? (e) => events.push({ pass: "import-qdq", node: e.node, op: e.op, rule: "import-qdq", fired: e.fired, message: e.message }) : undefined,
  });
  log(`${file}: quantized model (${quantized}) imported through import-qdq: ${formatQdqSummary(summary)}\n`);
  if (explain) log(formatExplanation("import-qdq", " (import)", events));
  return graph;
}
