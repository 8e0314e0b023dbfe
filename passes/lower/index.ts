// lower: the target-aware stage that closes every pipeline whose graph becomes C. It rewrites
// each Conv, QConv, MatMul and Gemm into an algorithm op naming how it runs (ir/ops/lowered),
// chosen for the pass context's target by the rules of passes/lower/*.ts, tried in order; the
// interpreter then runs the same algorithm as the C. `--explain lower` says per node which
// algorithm it got and why. Without a target (a pipeline run only for the interpreter) it
// lowers for the portable c99 target.
import { getTarget } from "../../ir/target.js";
import { definePass } from "../pass.js";
import { algorithmPattern, type AlgorithmRule } from "./algorithm-rule.js";
import { convRules } from "./conv.js";
import { matmulRules } from "./matmul.js";

/** Every algorithm rule, in the order they are tried for each op. */
export const ALGORITHM_RULES: readonly AlgorithmRule[] = [...convRules, ...matmulRules];

export const lower = definePass({
  name: "lower",
  doc: "Rewrites Conv, QConv, MatMul and Gemm into ops naming their algorithm, chosen for the target",
  rules: (_options, ctx) => {
    const target = ctx.target ?? getTarget("c99");
    return ALGORITHM_RULES.map((r) => algorithmPattern(r, target));
  },
});

export { defineAlgorithmRule, renameTo, type AlgorithmRule } from "./algorithm-rule.js";
