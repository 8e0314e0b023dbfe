// neonc/testing: the property-testing kit for users' passes and kernels (package export
// "./testing"). Tensor and speech-graph arbitraries for fast-check, checkEquivalent to compare
// a graph with its transformed version on random inputs, and propertyPreserves, the one-line
// property test of a pass. docs/testing.md is the tutorial.
export { arbTensor, arbShape, arbElement, type TensorArbOptions } from "./tensor-arb.js";
export { arbAnyTensor, tensorBits } from "./any-tensor.js";
export { NORMAL_FLOAT_RANGE, floatEdges, intEdges, type TensorValues, type ValueOptions } from "./tensor-values.js";
export { seededTensor } from "./random-values.js";
export { randomSource, Rng } from "./rng.js";
export { arbSpeechGraph, buildSpeechGraph, SAFE_T, type SpeechGraphOptions } from "./speech-graph.js";
export { arbPlan, SPEECH_OPS, speechOps, type Layer, type SpeechOp, type SpeechPlan } from "./speech-plan.js";
export { GraphBuilder } from "./graph-builder.js";
export { acceptedValues, acceptsDims, inputSymbols, pickDims, randomInputs, type DimsSpec } from "./inputs.js";
export { compareTensors, floatTolerance, toleranceToString, type Tolerance } from "./compare.js";
export { formatTensorList, formatTensors } from "./format.js";
export {
  assertEquivalent, checkEquivalent, EquivalenceError,
  type EquivalenceCase, type EquivalenceOptions, type EquivalenceResult,
} from "./equivalence.js";
export { DEFAULT_RUNS, DEFAULT_SEED, propertyPreserves, type PassUnderTest, type PreservesOptions } from "./property.js";
export { fileCheck, parseDirectives, type Directive, type DirectiveKind } from "./filecheck.js";
export { checkGoldenFixture, runGoldenFixture, type GoldenOptions, type GoldenOutcome } from "./golden.js";
export { FixtureError, parseFixture, type GoldenFixture, type NumericCheck } from "./golden-fixture.js";
export { agreement, emptyAgreement, maxAbsDiff, percent, SqnrMeter, sqnrDb, type Agreement } from "./metrics.js";
