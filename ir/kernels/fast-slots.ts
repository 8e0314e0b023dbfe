// Slots where the fast engine (src/runtime/fast) plugs in faster implementations of reference
// kernels while it is on.
//
// A fast kernel computes exactly the numbers of the reference kernel it stands beside (same
// precision, same order of every sum), so switching it on changes speed, never results. Each
// reference kernel asks its slot first; a fast kernel returns false for a case it does not
// cover and the reference runs. ir/ never imports the engine: the engine fills these slots for
// the duration of a call (withFastKernels), and outside one every slot is empty.
import type { ConvGeometry } from "./conv-geometry.js";

/** The arguments of sgemm (ir/kernels/gemm.ts). */
export type SgemmArgs = [
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: Float32Array, aOff: number, lda: number,
  B: Float32Array, bOff: number, ldb: number,
  beta: number, C: Float32Array, cOff: number, ldc: number,
];

export interface FastKernels {
  /** sgemm (ir/kernels/gemm.ts). */
  readonly sgemm?: (...args: SgemmArgs) => boolean;
  /** depthwiseConvF32 (ir/kernels/conv-depthwise.ts). */
  readonly depthwiseConvF32?: (
    x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array,
    N: number, C: number, multiplier: number, g: ConvGeometry,
  ) => boolean;
  /**
   * The input gradient of a depthwise conv (Conv's gradient rule, src/analyses/autodiff/rules/conv.ts):
   * dx += the transposed depthwise conv of dy, for a dx that starts at zero.
   */
  readonly depthwiseInputGradF32?: (
    dy: Float32Array, w: Float32Array, dx: Float32Array, N: number, C: number, multiplier: number, g: ConvGeometry,
  ) => boolean;
}

const NONE: FastKernels = {};
let active: FastKernels = NONE;

/** The fast kernels in effect (none outside withFastKernels). */
export function fastKernels(): FastKernels {
  return active;
}

/** Runs fn with `kernels` in the slots (or none, to force the reference), then restores them. */
export function withFastKernels<T>(kernels: FastKernels | undefined, fn: () => T): T {
  const prev = active;
  active = kernels ?? NONE;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
