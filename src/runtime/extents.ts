// Run-time lengths (extents, ir/dim.ts) in the interpreter: the node whose output first has an
// extent binds it from the output's actual shape, after checking it against its bound; every node
// that reads or makes an extent then has its output shapes checked against its types, so an
// extent that must equal its bound where it meets it (a mask [N,len1] reshaped to [N,1,1,T]) fails
// with one sentence naming both values instead of computing on the wrong lengths.
import { asExtent, dimExtents, dimToString, evalDim, type Dim } from "../../ir/dim.js";
import type { Graph, Node } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import { ModelError } from "../../ir/errors.js";

function hasExtent(shape: readonly Dim[] | undefined): boolean {
  return (shape ?? []).some((d) => dimExtents(d).size > 0);
}

/** True when an input or output type of the node mentions an extent. */
export function mentionsExtents(g: Graph, node: Node): boolean {
  return [...node.inputs, ...node.outputs].some((v) => v && hasExtent(g.types[v]?.shape));
}

/** Binds the extents the node makes and checks its output shapes against their types. */
export function checkExtents(g: Graph, node: Node, outs: readonly Tensor[], env: Record<string, number>): void {
  const label = `node ${node.name} (${node.op})`;
  node.outputs.forEach((o, k) => {
    const t = o ? g.types[o] : undefined;
    const actual = outs[k]?.shape;
    if (!t || !actual) return;
    t.shape.forEach((d, i) => {
      const v = actual[i]!;
      const e = asExtent(d);
      if (e && env[e.name] === undefined) {
        const bound = evalDim(e.bound, env);
        if (v > bound) {
          throw new ModelError(`${label} computed a length of ${v} (${e.name}), above its bound ${dimToString(e.bound)} = ${bound}`);
        }
        env[e.name] = v;
        return;
      }
      const want = evalDim(d, env);
      if (want !== v) {
        const names = [...dimExtents(d).keys()];
        const given = names.map((n) => `${n} = ${env[n]}`).join(", ");
        throw new ModelError(`${label} gave ${o} dim ${i} = ${v}, its type says ${dimToString(d)} = ${want}${given ? ` (${given})` : ""}; a length computed at run time must equal the dim it meets`);
      }
    });
  });
}
