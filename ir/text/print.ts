// Writes a graph as IR text (the format is described in ir/text/index.ts). The output is a
// function of the graph alone, so print(parse(print(g))) === print(g).
import type { Graph, Node } from "../graph.js";
import { findOp } from "../registry.js";
import { formatAttrs } from "./attr-text.js";
import { formatGraphName, formatKey, formatOpName, formatValueName, quote } from "./literals.js";
import { formatTensor } from "./tensor-text.js";
import { formatType } from "./type-text.js";

export function printGraph(g: Graph): string {
  const lines: string[] = [];
  if (g.meta !== undefined) {
    const entries = Object.entries(g.meta).map(([k, v]) => `${formatKey(k)}=${quote(v)}`);
    lines.push(`meta {${entries.join(", ")}}`);
  }
  const ins = g.inputs.map((n) => `${formatValueName(n)}: ${formatType(g.types[n])}`).join(", ");
  const outs = g.outputs.map(formatValueName).join(", ");
  lines.push(`graph ${formatGraphName(g.name)}(${ins}) -> (${outs}) {`);
  for (const [name, t] of Object.entries(g.constants)) {
    lines.push(`  ${formatValueName(name)} = const ${formatTensor(t, g.types[name]?.quant)}`);
  }
  for (const n of g.nodes) lines.push(`  ${printNode(n, g)}`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** The node's name when it is implied by the text: its first output. */
export function defaultNodeName(outputs: readonly string[]): string {
  return outputs[0] ?? "";
}

/** One node as a line of IR text (without indentation). */
export function printNode(n: Node, g: Graph): string {
  const slot = (v: string) => (v === "" ? "_" : formatValueName(v));
  const call = `${formatOpName(n.op)}(${n.inputs.map(slot).join(", ")})${formatAttrs(n.attrs, findOp(n.op)?.attrs)}`;
  let line = call;
  if (n.outputs.length > 0) {
    const types = n.outputs.map((o) => formatType(o === "" ? undefined : g.types[o]));
    line = `${n.outputs.map(slot).join(", ")} = ${call} : ${types.join(", ")}`;
  }
  if (n.name !== defaultNodeName(n.outputs)) line += `  @name(${quote(n.name)})`;
  return line;
}
