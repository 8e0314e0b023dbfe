// What `neonc inspect` can tell from the ONNX file alone, without importing it: op counts,
// parameter sizes, declared inputs and outputs, and which ops neonc cannot import.
//
// This is the part of the report that must survive a failed import (an unsupported op stops
// the importer), so it reads the decoded protobuf directly and never decodes tensor data.
import { byteSize } from "../../../ir/dtype.js";
import { findOnnxOp } from "../../../ir/registry.js";
import { dtypeFromOnnx, onnxTypeName } from "../../../ir/onnx-dtypes.js";
import { toNum, type GraphProto, type ModelProto, type TensorProto, type ValueInfoProto } from "../onnx/proto.js";
import "../../../ir/ops/index.js";

/** A graph input or output: dims are numbers, symbol names or expressions, or "?" when unknown. */
export interface ValueSummary {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly (number | string)[];
}

export interface UnsupportedOp {
  readonly op: string;
  /** ONNX domain; "" is the default domain. */
  readonly domain: string;
  readonly count: number;
  readonly nodes: readonly string[];
}

export interface ParameterSummary {
  /** Initializers plus Constant-node tensors. */
  readonly tensors: number;
  readonly count: number;
  readonly bytes: number;
}

export interface OnnxSummary {
  readonly producer: string | null;
  readonly opset: number | null;
  readonly graph: string;
  readonly nodes: number;
  /** Node count per op type, most frequent first; ops of other domains as `domain:Op`. */
  readonly ops: Readonly<Record<string, number>>;
  readonly parameters: ParameterSummary;
  readonly inputs: readonly ValueSummary[];
  readonly outputs: readonly ValueSummary[];
  readonly unsupportedOps: readonly UnsupportedOp[];
}

const DEFAULT_DOMAINS = new Set(["", "ai.onnx"]);

/** Summarizes a decoded model; never touches tensor data, so it is cheap even for big models. */
export function summarizeOnnxModel(model: ModelProto): OnnxSummary {
  const g: GraphProto = model.graph ?? {};
  const opsetEntry = (model.opsetImport ?? []).find((o) => DEFAULT_DOMAINS.has(o.domain ?? ""));
  const producer = [model.producerName, model.producerVersion].filter(Boolean).join(" ");
  return {
    producer: producer || null,
    opset: opsetEntry ? toNum(opsetEntry.version) : null,
    graph: g.name ?? "",
    nodes: (g.node ?? []).length,
    ops: opHistogram(g),
    parameters: parameterSummary(g),
    inputs: declaredInputs(g),
    outputs: (g.output ?? []).map(valueSummary),
    unsupportedOps: unsupportedOps(g),
  };
}

function opKey(opType: string, domain: string): string {
  return DEFAULT_DOMAINS.has(domain) ? opType : `${domain}:${opType}`;
}

function opHistogram(g: GraphProto): Record<string, number> {
  const counts = new Map<string, number>();
  for (const n of g.node ?? []) {
    const k = opKey(n.opType ?? "", n.domain ?? "");
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return Object.fromEntries(sorted);
}

/** Ops the importer has no definition for, in the graph and in If branches as the importer sees them. */
function unsupportedOps(g: GraphProto): UnsupportedOp[] {
  const found = new Map<string, { op: string; domain: string; nodes: string[] }>();
  const visit = (graph: GraphProto) => {
    for (const n of graph.node ?? []) {
      const op = n.opType ?? "";
      const domain = n.domain ?? "";
      // The importer inlines If itself; ops of other domains are registered as "domain:Op".
      const known = (DEFAULT_DOMAINS.has(domain) && op === "If") || findOnnxOp(op, domain) !== undefined;
      if (!known) {
        const k = opKey(op, domain);
        const entry = found.get(k) ?? { op, domain, nodes: [] };
        entry.nodes.push(n.name || (n.output ?? [])[0] || "(unnamed)");
        found.set(k, entry);
      }
      for (const a of n.attribute ?? []) {
        if (a.g) visit(a.g);
        for (const sub of a.graphs ?? []) visit(sub);
      }
    }
  };
  visit(g);
  return [...found.values()].map((e) => ({ ...e, count: e.nodes.length }));
}

function tensorSize(t: TensorProto): { count: number; bytes: number } {
  let count = 1;
  for (const d of t.dims ?? []) count *= toNum(d);
  const dt = dtypeFromOnnx(t.dataType ?? 0);
  if (dt === "string") {
    let bytes = 0;
    for (const s of t.stringData ?? []) bytes += s.length;
    return { count, bytes };
  }
  return { count, bytes: dt ? count * byteSize(dt) : 0 };
}

function parameterSummary(g: GraphProto): ParameterSummary {
  let tensors = 0, count = 0, bytes = 0;
  const add = (t: TensorProto) => {
    const s = tensorSize(t);
    tensors++;
    count += s.count;
    bytes += s.bytes;
  };
  for (const t of g.initializer ?? []) add(t);
  for (const n of g.node ?? []) {
    if (n.opType !== "Constant" || !DEFAULT_DOMAINS.has(n.domain ?? "")) continue;
    const value = (n.attribute ?? []).find((a) => a.name === "value")?.t;
    if (value) add(value);
  }
  return { tensors, count, bytes };
}

/** Graph inputs without the initializers that older exporters also list as inputs. */
function declaredInputs(g: GraphProto): ValueSummary[] {
  const init = new Set((g.initializer ?? []).map((t) => t.name ?? ""));
  return (g.input ?? []).filter((v) => !init.has(v.name ?? "")).map(valueSummary);
}

function valueSummary(v: ValueInfoProto): ValueSummary {
  const tt = v.type?.tensorType;
  const code = tt?.elemType ?? 0;
  const shape = (tt?.shape?.dim ?? []).map((d): number | string => {
    if (d.dimParam) return d.dimParam;
    // Decoded messages inherit 0 for unset fields, so presence is an own property.
    if (Object.prototype.hasOwnProperty.call(d, "dimValue")) return toNum(d.dimValue);
    return "?";
  });
  return { name: v.name ?? "", dtype: dtypeFromOnnx(code) ?? onnxTypeName(code), shape };
}
