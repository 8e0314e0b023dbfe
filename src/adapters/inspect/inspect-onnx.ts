// `inspectOnnxFile`: everything `neonc inspect` reports about a model, as one JSON-ready object.
//
// The file-level facts (ops, parameters, declared inputs/outputs, unsupported ops) always come
// from ./onnx-summary.ts. When the importer accepts the model, the IR graph adds what only it
// knows: inferred types with symbolic dims and MACs per layer. When it refuses the model, the
// report says why instead of failing, so the user still sees which ops are missing.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { dimSymbols, dimToString, type Dim } from "../../../ir/dim.js";
import type { Graph } from "../../../ir/graph.js";
import { ModelError, NeoncError } from "../../../ir/errors.js";
import { decodeModel } from "../onnx/index.js";
import { graphMacs, layerAt, macsSymbols, totalAt } from "./macs.js";
import { fsReason } from "../fs-errors.js";
import { importDetecting } from "../onnx/load-model.js";
import { summarizeOnnxModel, type ParameterSummary, type UnsupportedOp, type ValueSummary } from "./onnx-summary.js";

/** Dim values MACs are evaluated at unless the user says otherwise: T=100 is 1 s of 10 ms frames. */
export const DEFAULT_DIMS: Readonly<Record<string, number>> = { T: 100 };

export interface LayerReport {
  readonly node: string;
  readonly op: string;
  /** A number, or an expression over symbolic dims; null when the count failed. */
  readonly macs: number | string | null;
  readonly macsAtDims: number | null;
  readonly error?: string;
}

export interface MacsReport {
  /** Null when a layer's count has no symbolic form (totalAtDims still counts it). */
  readonly total: number | string | null;
  readonly totalAtDims: number | null;
  readonly layers: readonly LayerReport[];
}

export interface InspectReport {
  readonly model: string;
  readonly producer: string | null;
  readonly opset: number | null;
  readonly imported: boolean;
  readonly importError: string | null;
  readonly inputs: readonly ValueSummary[];
  readonly outputs: readonly ValueSummary[];
  readonly nodes: number;
  readonly ops: Readonly<Record<string, number>>;
  readonly parameters: ParameterSummary;
  readonly unsupportedOps: readonly UnsupportedOp[];
  /** Values of the symbolic dims the report mentions (MACs are evaluated at these). */
  readonly dims: Readonly<Record<string, number>>;
  /** Symbolic dims mentioned but without a value (give them with --dim). */
  readonly unboundDims: readonly string[];
  readonly macs: MacsReport | null;
}

export interface InspectOptions {
  /** Values for symbolic dims, on top of DEFAULT_DIMS. */
  readonly dims?: Readonly<Record<string, number>>;
  /** false: a quantized model is imported as float (--no-import-qdq). */
  readonly importQdq?: boolean;
}

function dimJson(d: Dim): number | string {
  return typeof d === "number" ? d : dimToString(d);
}

function irValues(g: Graph, names: readonly string[]): ValueSummary[] {
  return names.map((name) => {
    const t = g.types[name]!;
    return { name, dtype: t.dtype, shape: t.shape.map(dimJson) };
  });
}

/** Builds the inspect report; throws a ModelError only when the file is not a readable ONNX model. */
export function inspectOnnxFile(file: string, options: InspectOptions = {}): InspectReport {
  let bytes: Uint8Array;
  try {
    if (!statSync(file).isFile()) throw new ModelError(`${file}: the model path is not a file`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`${file}: cannot read the model (${fsReason(e)})`);
  }
  const summary = summarizeOnnxModel(decodeModel(bytes, file));
  let graph: Graph | undefined;
  let importError: string | null = null;
  try {
    graph = importDetecting(bytes, file, path.dirname(file), { importQdq: options.importQdq });
  } catch (e) {
    if (!(e instanceof NeoncError)) throw e;
    importError = e.message;
  }
  const env = { ...DEFAULT_DIMS, ...options.dims };
  const symbols = new Set<string>();
  let macs: MacsReport | null = null;
  let inputs = summary.inputs, outputs = summary.outputs;
  if (graph) {
    inputs = irValues(graph, graph.inputs);
    outputs = irValues(graph, graph.outputs);
    for (const name of [...graph.inputs, ...graph.outputs]) for (const d of graph.types[name]!.shape) dimSymbols(d, symbols);
    const m = graphMacs(graph, env);
    for (const s of macsSymbols(m)) symbols.add(s);
    macs = {
      total: m.layers.some((l) => l.atDims !== undefined || l.needsDims) ? null : dimJson(m.total),
      totalAtDims: totalAt(m, env) ?? null,
      layers: m.layers.map((l) => ({
        node: l.node,
        op: l.op,
        macs: l.macs === undefined ? null : dimJson(l.macs),
        macsAtDims: layerAt(l, env) ?? null,
        ...(l.error ? { error: l.error } : {}),
      })),
    };
  } else {
    for (const v of [...inputs, ...outputs]) for (const d of v.shape) if (typeof d === "string" && d !== "?") symbols.add(d);
  }
  const dims: Record<string, number> = {};
  const unboundDims: string[] = [];
  for (const s of [...symbols].sort()) {
    if (env[s] !== undefined) dims[s] = env[s]!;
    else unboundDims.push(s);
  }
  return {
    model: file,
    producer: summary.producer,
    opset: summary.opset,
    imported: graph !== undefined,
    importError,
    inputs,
    outputs,
    nodes: summary.nodes,
    ops: summary.ops,
    parameters: summary.parameters,
    unsupportedOps: summary.unsupportedOps,
    dims,
    unboundDims,
    macs,
  };
}
