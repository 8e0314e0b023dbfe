// Nodes that compute nothing at inference: Identity, a Cast to the type its input has already
// (exporters write them around torch's pow), and Dropout in inference mode (its mask, if read, is a
// constant of ones).
import { isSymbolic } from "../../ir/dim.js";
import { makeTensor } from "../../ir/types.js";
import { decline, replace, rule, type Rule } from "../patterns.js";

export const removeIdentity: Rule = rule("Identity", (node) => replace(node, node.inputs[0]!), "remove-identity");

export const removeSameTypeCast: Rule = rule("Cast", (node, g) =>
  g.type(node.inputs[0]!).dtype === g.type(node.outputs[0]!).dtype ? replace(node, node.inputs[0]!) : decline("it changes the type"), "remove-same-type-cast");

export const removeInferenceDropout: Rule = rule("Dropout", (node, g) => {
  const a = g.attrs<{ training_mode: number }>(node);
  if (node.inputs[2]) return decline("training_mode is computed at run time");
  if (a.training_mode) return decline("training_mode=1");
  if (node.inputs[1] && !g.isConstant(node.inputs[1])) return decline("ratio is computed at run time");
  const x = node.inputs[0]!;
  const mask = node.outputs[1];
  if (!mask || (g.useCount(mask) === 0)) return replace(node, x, ...(node.outputs.length > 1 ? [""] : []));
  const t = g.type(mask);
  if (t.shape.some(isSymbolic)) return decline(`its mask %${mask} is read and has a symbolic shape`);
  const ones = makeTensor(t.dtype, t.shape as number[]);
  (ones.data as Uint8Array | Float32Array | Float64Array).fill(1);
  const b = g.rewrite(node);
  return b.replaceWith(x, b.constant(mask, ones));
}, "remove-dropout");
