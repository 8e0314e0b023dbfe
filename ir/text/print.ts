// Writes a graph as IR text (the format is described in ir/text/index.ts). The output is a
// function of the graph alone, so print(parse(print(g))) === print(g).
import type { Graph, Node } from "../graph.js";
import { findOp } from "../registry.js";
import { formatAttrs } from "./attr-text.js";
import { formatGraphName, formatKey, formatOpName, formatValueName, quote } from "./literals.js";
import { formatTensor } from "./tensor-text.js";
import { formatType } from "./type-text.js";

export interface PrintOptions {
  /**
   * Constants with more elements than this print as their type and a `...` with a comment
   * instead of their data (IR dumps of real models stay readable; such text does not parse back).
   * Default: every constant in full.
   */
  readonly elideConstantsOver?: number;
}

export function printGraph(g: Graph, opts: PrintOptions = {}): string {
  return graphLines(g, opts).join("\n") + "\n";
}

function graphLines(g: Graph, opts: PrintOptions): string[] {
  const lines: string[] = [];
  if (g.meta !== undefined) {
    const entries = Object.entries(g.meta).map(([k, v]) => `${formatKey(k)}=${quote(v)}`);
    lines.push(`meta {${entries.join(", ")}}`);
  }
  const ins = g.inputs.map((n) => `${formatValueName(n)}: ${formatType(g.types[n])}`).join(", ");
  const outs = g.outputs.map(formatValueName).join(", ");
  lines.push(`graph ${formatGraphName(g.name)}(${ins}) -> (${outs}) {`);
  const limit = opts.elideConstantsOver;
  for (const [name, t] of Object.entries(g.constants)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const text = limit !== undefined && n > limit
      ? `${formatType(g.types[name] ?? { dtype: t.dtype, shape: t.shape })} ... // ${n} elements elided`
      : formatTensor(t, g.types[name]?.quant);
    lines.push(`  ${formatValueName(name)} = const ${text}`);
  }
  for (const n of g.nodes) lines.push(`  ${printNode(n, g, opts)}`);
  lines.push("}");
  return lines;
}

/** A nested graph as an attribute value: its lines, those after the first indented under the node. */
function nestedGraph(g: Graph, opts: PrintOptions): string {
  if (g.meta !== undefined) g = { ...g, meta: undefined };
  return graphLines(g, opts).map((l, i) => (i === 0 ? l : `    ${l}`)).join("\n");
}

/** The node's name when it is implied by the text: its first output. */
export function defaultNodeName(outputs: readonly string[]): string {
  return outputs[0] ?? "";
}

/** One node as a line of IR text (without indentation). */
export function printNode(n: Node, g: Graph, opts: PrintOptions = {}): string {
  const slot = (v: string) => (v === "" ? "_" : formatValueName(v));
  const call = `${formatOpName(n.op)}(${n.inputs.map(slot).join(", ")})${formatAttrs(n.attrs, findOp(n.op)?.attrs, (sub) => nestedGraph(sub, opts))}`;
  let line = call;
  if (n.outputs.length > 0) {
    const types = n.outputs.map((o) => formatType(o === "" ? undefined : g.types[o]));
    line = `${n.outputs.map(slot).join(", ")} = ${call} : ${types.join(", ")}`;
  }
  if (n.name !== defaultNodeName(n.outputs)) line += `  @name(${quote(n.name)})`;
  return line;
}
