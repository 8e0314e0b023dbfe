// Lengths computed at run time (extents, ir/dim.ts) in the generated C. Each extent is an `int`
// of model_run, 0 until the node that makes it (a Range, codegen/kernels/range.ts) sets it after
// checking its bound; buffers are sized for the bound (maxNumel), loops run over the variable.
// Where an extent meets its bound (a mask [N,len1] broadcast against, or reshaped to, [N,T]) the
// kernels compute with the bound's shape, so the run returns 6 unless the two are equal: the C
// does not generate the broadcast of an extent of 1 that the interpreter also accepts.
import { asExtent, dimEquals, dimExtents, dimToString } from "../ir/dim.js";
import { subgraphsOf, type Graph, type Node } from "../ir/graph.js";
import { cDim, cIdent } from "./c-util.js";

/** Names of the extents the values of the graph and of its nested graphs (If branches) mention, sorted. */
export function graphExtents(g: Graph): string[] {
  const names = new Set<string>();
  const visit = (h: Graph): void => {
    for (const t of Object.values(h.types)) for (const d of t.shape) for (const n of dimExtents(d).keys()) names.add(n);
    for (const n of h.nodes) for (const [, sub] of subgraphsOf(n)) visit(sub);
  };
  visit(g);
  return [...names].sort();
}

/** The declarations at the top of model_run. */
export function extentDeclarations(g: Graph): string[] {
  return graphExtents(g).map((n) => `int ${cIdent(n)} = 0; (void)${cIdent(n)}; /* a length computed at run time */`);
}

/**
 * Checks before a node whose input has an extent on an axis where its output (aligned from the
 * last axis, as broadcasting and these reshapes align them) has the extent's bound.
 */
export function extentGuards(g: Graph, node: Node): string {
  const out = node.outputs[0] ? g.types[node.outputs[0]] : undefined;
  if (!out) return "";
  const lines = new Set<string>();
  for (const v of node.inputs) {
    const t = v ? g.types[v] : undefined;
    if (!t || t.shape.length > out.shape.length) continue;
    t.shape.forEach((d, i) => {
      const e = asExtent(d);
      if (!e) return;
      const od = out.shape[out.shape.length - (t.shape.length - i)]!;
      if (dimEquals(od, e.bound)) lines.add(`if (${cIdent(e.name)} != ${cDim(e.bound)}) return 6; /* ${e.name} meets ${dimToString(e.bound)} here */`);
    });
  }
  return [...lines].map((l) => l + "\n").join("");
}

/** A graph output whose length is computed at run time has no size the caller could allocate. */
export function refuseExtentOutputs(g: Graph, error: (m: string) => Error): void {
  const bad = g.outputs.filter((o) => g.types[o]!.shape.some((d) => dimExtents(d).size > 0));
  if (bad.length > 0) {
    throw error(`output${bad.length > 1 ? "s" : ""} ${bad.join(", ")} ha${bad.length > 1 ? "ve" : "s"} a length computed at run time (${bad.map((o) => dimToString(g.types[o]!.shape.find((d) => dimExtents(d).size > 0)!)).join(", ")}), which the generated C cannot return; neonc compiles outputs whose dims are known from the inputs' shapes`);
  }
}
