// Cheap structural equality of two graphs, for fixed-point detection.
//
// Passes return their input unchanged when they do nothing, so identity usually decides; this is
// the fallback for passes that rebuild the graph anyway. Tensors compare by identity (passes
// share constant data between versions), never element by element.
import { isGraphValue, type Graph } from "../ir/graph.js";
import { typeToString, type Tensor } from "../ir/types.js";
import { dimToString, type Dim } from "../ir/dim.js";

export function sameGraph(a: Graph, b: Graph): boolean {
  if (a === b) return true;
  if (a.nodes.length !== b.nodes.length) return false;
  const ids = new Map<object, number>();
  const id = (o: object): number => {
    let k = ids.get(o);
    if (k === undefined) ids.set(o, (k = ids.size));
    return k;
  };
  return fingerprint(a, id) === fingerprint(b, id);
}

function fingerprint(g: Graph, id: (o: object) => number): string {
  const attr = (v: unknown): string => {
    if (isGraphValue(v)) return `graph{${fingerprint(v, id)}}`;
    if (v !== null && typeof v === "object" && "data" in (v as object)) return `#t${id((v as Tensor).data as object)}`;
    if (Array.isArray(v)) return `[${v.map((d: Dim | string) => (typeof d === "object" ? dimToString(d) : String(d))).join(",")}]`;
    return JSON.stringify(v);
  };
  const parts: string[] = [g.name, JSON.stringify(g.meta ?? null), g.inputs.join(","), g.outputs.join(",")];
  for (const n of g.nodes) {
    const attrs = Object.keys(n.attrs).sort().map((k) => `${k}=${attr(n.attrs[k])}`).join(";");
    parts.push(`${n.op}(${n.inputs.join(",")})->${n.outputs.join(",")}{${attrs}}`);
  }
  for (const k of Object.keys(g.constants).sort()) parts.push(`${k}=#t${id(g.constants[k]!.data as object)}`);
  for (const k of Object.keys(g.types).sort()) parts.push(`${k}:${typeToString(g.types[k]!)}`);
  return parts.join("\n");
}
