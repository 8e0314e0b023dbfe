// Max and Min against a constant that holds one value are a Clip with a bound: tf2onnx writes a
// floor after an activation as Max(x, c) (openWakeWord's embedding: Max(LeakyRelu(...), -0.4)).
// As a Clip it is a unary op: an int8 table, or a clamp folded into the op before it, instead of
// a float op between a Dequantize and a Quantize. The constant may have any shape of ones that
// does not widen x's shape.
import { typesEqual, toNumbers } from "../../ir/types.js";
import { isComputeFloat } from "../float-constants.js";
import { decline, ensure, rule, type Rule } from "../patterns.js";

export const clampRule: Rule = rule(["Max", "Min"], (node, g) => {
  if (node.inputs.length !== 2) return decline("it has more than two inputs");
  const k = node.inputs.findIndex((v) => g.isConstant(v));
  if (k < 0 || g.isConstant(node.inputs[1 - k]!)) return decline("it has no constant input (or only constants)");
  const x = node.inputs[1 - k]!, c = g.constant(node.inputs[k]!)!;
  ensure(isComputeFloat(g.type(x).dtype), `%${x} is ${g.type(x).dtype}`);
  ensure(typesEqual(g.type(node.outputs[0]!), g.type(x)), "the constant widens x's shape");
  const values = toNumbers(c);
  if (values.length !== 1 || Number.isNaN(values[0])) return decline("the constant holds more than one value");
  const bound = node.op === "Max" ? "min" : "max";
  const rw = g.rewrite(node);
  return rw.explain(`${node.op}(x, ${values[0]}) is Clip(x) {${bound}=${values[0]}}`).replaceWith(rw.op1("Clip", [x], { [bound]: values[0]! }));
}, "max-min-constant-as-clip");
