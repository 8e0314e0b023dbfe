// Constant folding: a node whose inputs are all constants is replaced by its results, computed
// with the op's own reference kernel (`evaluate`), so folding can never disagree with the
// interpreter.
import { isSymbolic } from "../../ir/dim.js";
import { resolveAttrs } from "../../ir/op.js";
import { findOp } from "../../ir/registry.js";
import { numel, type Tensor } from "../../ir/types.js";
import { decline, rule, type Rule } from "../patterns.js";

/** Ops whose result is not a function of their inputs. */
const NONDETERMINISTIC = /^(Random|Multinomial$|Bernoulli$)/;

export function foldConstantsRule(limit: number): Rule {
  return rule("*", (node, g) => {
    const present = node.inputs.filter((i) => i);
    if (!present.every((i) => g.isConstant(i))) return undefined;
    const def = findOp(node.op);
    if (!def) return decline(`op ${node.op} is not registered`);
    if (NONDETERMINISTIC.test(node.op)) return decline(`${node.op} is not deterministic`);
    const attrs = resolveAttrs(def, node.attrs);
    if (node.op === "Dropout" && (node.inputs[2] || attrs.training_mode)) return decline("training-mode Dropout is random");
    let total = 0;
    for (const o of node.outputs) {
      if (!o) continue;
      const t = g.type(o);
      if (t.shape.some(isSymbolic)) return decline(`output %${o} has a symbolic shape`);
      total += numel(t.shape as number[]);
    }
    if (total > limit) return decline(`the result would hold ${total} elements, more than fold-limit=${limit}`);
    let values: Tensor[];
    try {
      values = def.evaluate(node.inputs.map((i) => g.constant(i)), attrs, { numOutputs: node.outputs.length });
    } catch (e) {
      return decline(`evaluating it failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const b = g.rewrite(node);
    const results = node.outputs.map((o, k) => (o && values[k] ? b.constant(o, values[k]!, g.type(o)) : ""));
    return b.explain("folded to a constant").replaceWith(...results);
  }, "fold-constants");
}
