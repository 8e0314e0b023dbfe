// Dead-code elimination: a node none of whose outputs is read or a graph output is erased
// (ops have no side effects). Erasing a node revisits its producers, so dead chains go at once.
import { erase, rule, type Rule } from "../patterns.js";

export const deadCodeRule: Rule = rule("*", (node, g) => {
  if (node.outputs.some((o) => o && g.useCount(o) > 0)) return undefined;
  return erase(node);
}, "dead-code");
