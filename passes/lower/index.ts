// lower: the target-aware stage that closes every pipeline whose graph becomes C. It rewrites
// each Conv, ConvTranspose, QConv, MatMul and Gemm into an algorithm op naming how it runs (ir/ops/lowered),
// chosen for the pass context's target by the rules of passes/lower/*.ts, tried in order; the
// interpreter then runs the same algorithm as the C. `--explain lower` says per node which
// algorithm it got and why. Without a target (a pipeline run only for the interpreter) it
// lowers for the portable c99 target.
import { getTarget } from "../../ir/target.js";
import { definePass } from "../pass.js";
import { algorithmPattern, type AlgorithmRule } from "./algorithm-rule.js";
import { convRules } from "./conv.js";
import { convTransposeRules } from "./conv-transpose.js";
import { matmulRules } from "./matmul.js";
import { qconvRules } from "./qconv.js";
import { qmatmulRules } from "./qmatmul.js";
import { convWinograd } from "./winograd.js";
import { qconvWinograd } from "./qconv-winograd.js";
import { enumOption } from "../options.js";

const rules: AlgorithmRule[] = [convWinograd, ...convRules, ...convTransposeRules, ...matmulRules, qconvWinograd, ...qconvRules, ...qmatmulRules];

/** Every algorithm rule, in the order they are tried for each op. */
export function algorithmRules(): readonly AlgorithmRule[] {
  return rules;
}

/**
 * Adds an algorithm rule (the next issues' Winograd and block-sparse rules, or a user's): tried
 * before the rule of algorithm `before` when given (it wins over it where both apply), else
 * after every rule. An algorithm has one rule.
 */
export function registerAlgorithmRule(rule: AlgorithmRule, opts: { readonly before?: string } = {}): void {
  if (rules.some((r) => r.algorithm === rule.algorithm)) throw new Error(`a lower rule for ${rule.algorithm} is already registered`);
  const at = opts.before === undefined ? rules.length : rules.findIndex((r) => r.algorithm === opts.before);
  if (at < 0) throw new Error(`registerAlgorithmRule: no rule for ${opts.before} to go before`);
  rules.splice(at, 0, rule);
}

export const lower = definePass({
  name: "lower",
  doc: "Rewrites Conv, ConvTranspose, QConv, MatMul and Gemm into ops naming their algorithm, chosen for the target",
  options: {
    winograd: enumOption(["off", "auto", "2", "4", "6"], "off", "Winograd convolution: off, auto (the cost model picks the output tile), or the tile m of F(m, r)"),
  },
  rules: (options, ctx) => {
    const target = ctx.target ?? getTarget("c99");
    return rules.filter((r) => r.enabled?.(options) ?? true).map((r) => algorithmPattern(r, target, options));
  },
});

export { defineAlgorithmRule, renameTo, ensureConstant, type AlgorithmRule, type LowerOptions } from "./algorithm-rule.js";
