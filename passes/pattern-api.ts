// The `patterns` namespace of the public API: everything a user needs to write rewrite rules,
// `import { patterns } from "neonc"; patterns.rule("Mul", ...)`.
export { rule, decline, ensure, replace, erase, applyRules, Decline, GraphView, RewriteBuilder } from "./patterns.js";
export type { Rule, RuleFn, RuleResult, Rewrite, ProducerSpec, ApplyOptions } from "./patterns.js";
export { algebraic, $, splat, isSplat, producedBy } from "./algebra.js";
export type { AlgebraicRule, ArgMatcher, Captures, ValueTest } from "./algebra.js";
export { f64Values, floatTensor, reshapeTensor, isComputeFloat } from "./float-constants.js";
