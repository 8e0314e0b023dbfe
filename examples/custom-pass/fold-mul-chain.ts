// A user-written pass: folds a chain of multiplications by constants, x*a*b -> x*(a*b).
//
// This is the example of docs/passes.md, written as a user writes it (`from "neonc"`). Load it
// from the command line with `--load examples/custom-pass/fold-mul-chain.ts --passes
// fold-mul-chain`, or pass `foldMulChain` to runPass / runPipeline in code.
import { definePass, ensure, findOp, rule, type GraphView, type Node } from "neonc";

/** Index of the constant operand of a binary node (the first one if both are), or -1. */
function constantOperand(n: Node, g: GraphView): number {
  if (g.isConstant(n.inputs[1]!)) return 1;
  if (g.isConstant(n.inputs[0]!)) return 0;
  return -1;
}

export const foldMulChain = definePass({
  name: "fold-mul-chain",
  doc: "Folds x*a*b, with a and b constants, into x*(a*b).",
  rules: [
    rule("Mul", (outer, g) => {
      const k = constantOperand(outer, g);
      if (k < 0) return undefined; // not "something * constant": not this pattern, nothing to report
      const inner = g.matchProducer(outer.inputs[1 - k]!, { op: "Mul" });
      const j = constantOperand(inner, g);
      ensure(j >= 0, `the inner Mul ${inner.name} has no constant operand`);
      const a = g.constant(inner.inputs[j]!)!;
      const b = g.constant(outer.inputs[k]!)!;
      // The product comes from the Mul op's own kernel: same broadcasting, same rounding.
      const [ab] = findOp("Mul")!.evaluate([a, b], {}, { numOutputs: 1 });
      const rw = g.rewrite(outer).absorb(inner);
      const abName = rw.constant(`${inner.inputs[j]}.times.${outer.inputs[k]}`, ab!);
      return rw.explain("multiplied the two constants").replaceWith(rw.op1("Mul", [inner.inputs[1 - j]!, abName]));
    }, "mul-chain"),
  ],
});

export default foldMulChain;
