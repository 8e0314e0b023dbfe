// Dead-code elimination: a node none of whose outputs is read or a graph output is erased
// (ops have no side effects). Erasing a node revisits its producers, so dead chains go at once.
// The one exception is a Range whose length is an extent (`size=[len1<=T]`, ir/dim.ts): it binds
// the run-time length that later nodes' dims attributes name (a ConstantOfShape of [N,len1]), so
// it stays even when nothing reads its output.
import { asExtent, type Dim } from "../../ir/dim.js";
import { erase, rule, type Rule } from "../patterns.js";

export const deadCodeRule: Rule = rule("*", (node, g) => {
  if (node.outputs.some((o) => o && g.useCount(o) > 0)) return undefined;
  if (node.op === "Range" && asExtent(((node.attrs.size as readonly unknown[] | undefined)?.[0] ?? 0) as Dim)) return undefined;
  return erase(node);
}, "dead-code");
