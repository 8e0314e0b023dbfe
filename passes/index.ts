// The pass manager's public API, and registration of the built-in passes and presets.
//
// Importing this module (as src/index.ts does) registers canonicalize, fold-batchnorm,
// fuse-activation, conv2d-to-1d and -O1. User passes are made with definePass and either passed to
// runPass / runPipeline directly or registered to be named in pipelines.
import "../ir/ops/index.js";
import { canonicalize } from "./canonicalize/index.js";
import { conv2dTo1d } from "./conv2d-to-1d.js";
import { foldBatchNorm } from "./fold-batchnorm.js";
import { fuseActivation } from "./fuse-activation.js";
import { O1 } from "./presets.js";
import { registerPass, registerPreset } from "./registry.js";
import * as patterns from "./pattern-api.js";

for (const p of [canonicalize, foldBatchNorm, fuseActivation, conv2dTo1d]) registerPass(p);
registerPreset(O1);
import { quantize, int8Preset } from "./quantize/index.js"; registerPass(quantize); registerPreset(int8Preset);
import { importQdq } from "./import-qdq/index.js"; registerPass(importQdq);
import { lower } from "./lower/index.js"; registerPass(lower);
import { winograd } from "./winograd/index.js"; registerPass(winograd);
import { prune } from "./prune/index.js"; registerPass(prune);

export { canonicalize, conv2dTo1d, foldBatchNorm, fuseActivation, O1, patterns, lower, winograd, prune };
export { defineAlgorithmRule, registerAlgorithmRule, algorithmRules, type AlgorithmRule } from "./lower/index.js";
export { definePass, runPass, passContext, describeNode, SILENT_PROGRESS, type Pass, type PassContext, type PassSpec, type ExplainEvent, type PassHost, type ProgressSink, type ProgressTask } from "./pass.js";
export { intOption, floatOption, boolOption, stringOption, enumOption, type OptionSpec, type OptionSchema, type OptionsOf } from "./options.js";
export { registerPass, registerPreset, findPass, findPreset, allPasses, allPresets, describePasses, type Preset } from "./registry.js";
export { parsePipeline, pipelineToString, type Pipeline, type PipelineStep } from "./pipeline.js";
export { runPipeline, runPipelineFromOptions, type RunPipelineOptions, type PipelineCliOptions } from "./run.js";
export { checkModelPipeline, modelPipelineText, runModelPipeline, type ModelPipeline, type ModelPipelineResult } from "./model-pipeline.js";
export {
  rule, decline, ensure, replace, erase, applyRules, Decline, GraphView, RewriteBuilder,
  type Rule, type RuleFn, type RuleResult, type Rewrite, type ProducerSpec, type ApplyOptions,
} from "./patterns.js";
export { algebraic, $, splat, isSplat, producedBy, type AlgebraicRule, type ArgMatcher, type Captures, type ValueTest } from "./algebra.js";
