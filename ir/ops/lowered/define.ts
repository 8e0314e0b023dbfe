// How an algorithm op of the lower stage is defined: the op it implements, renamed after the
// algorithm, with that algorithm's reference kernel. Everything else — attributes, slots, type
// rule, MACs, ONNX export — is the implemented op's, so an algorithm op can never disagree with
// it about what it computes; the lower rules (passes/lower) make it and its C emitter runs it.
import { applyFusedActivation } from "../../activation.js";
import type { AttrSchema, AttrsOf, EvalContext, OpDef } from "../../op.js";
import type { Tensor } from "../../types.js";

export interface AlgorithmSpec<S extends AttrSchema> {
  /** The op's name: the implemented op's name followed by the algorithm (ConvIm2col). */
  readonly name: string;
  /** One line: the algorithm, as `neonc inspect` and the docs show it. */
  readonly doc: string;
  /**
   * The algorithm's reference kernel, before any fused activation (applied after it here).
   * Omitted when the implemented op's own kernel is exact whatever the order of its sums
   * (integer ops).
   */
  readonly kernel?: (inputs: readonly (Tensor | undefined)[], attrs: AttrsOf<S>, ctx: EvalContext) => Tensor[];
}

export function defineAlgorithm<S extends AttrSchema>(base: OpDef<S>, spec: AlgorithmSpec<S>): OpDef<S> {
  const kernel = spec.kernel;
  return {
    ...base,
    name: spec.name,
    doc: spec.doc,
    // Never imported: only the lower stage makes these.
    onnxOps: [],
    fromOnnx: undefined,
    foldDims: undefined,
    traits: {
      ...(base.traits?.fusedActivation ? { fusedActivation: true } : {}),
      ...(base.traits?.integer ? { integer: true } : {}),
      implements: base.name,
    },
    evaluate: kernel
      ? (inputs, attrs, ctx) => {
          const out = kernel(inputs, attrs, ctx);
          return [applyFusedActivation(out[0]!, attrs as Parameters<typeof applyFusedActivation>[1]), ...out.slice(1)];
        }
      : base.evaluate,
  };
}
