// The contract between the tape and the per-op gradient rules (vector-Jacobian products).
//
// A rule sees one recorded node: its input and output tensors from the forward run, its resolved
// attributes, the gradient flowing into each output, and which inputs want a gradient. It
// returns the gradient of each input (undefined where none is wanted or none exists). Gradients
// are tensors of the forward value's dtype and shape (f32 or f64), so the same rules run on
// f32 models and on the f64 graphs the gradient checks use.
import type { Tensor } from "../../../ir/types.js";

export type FloatArray = Float32Array | Float64Array;

export interface VjpArgs {
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly Tensor[];
  /** Attributes with defaults filled in and symbolic dims evaluated for this run. */
  readonly attrs: Readonly<Record<string, any>>;
  /** Gradient of the loss with respect to each output; undefined when nothing flows back. */
  readonly dy: readonly (Tensor | undefined)[];
  /** wants[i]: the gradient of input i is needed. Rules may skip work for the others. */
  readonly wants: readonly boolean[];
}

/** Returns one entry per input; a rule must never mutate its arguments (dy may be shared). */
export type VjpRule = (args: VjpArgs) => (Tensor | undefined)[];
