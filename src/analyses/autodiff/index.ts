// Reverse-mode gradients through float IR graphs: a tape-recording forward run on the
// interpreter, per-op vector-Jacobian products, and the reverse sweep that combines them.
// Used by zero-shot calibration to optimise synthetic inputs (src/analyses/calibration/synthetic).
export { backward } from "./backward.js";
export { differentiableValues, forwardWithTape, pruneToTargets, unsupportedOps, type Tape, type TapeEntry, type TapeOptions } from "./tape.js";
export { VJP_RULES, vjpRule } from "./rules/index.js";
export type { VjpArgs, VjpRule } from "./types.js";
