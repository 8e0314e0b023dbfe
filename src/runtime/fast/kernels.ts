// The fast engine's kernels as the slots of ir/kernels/fast-slots.ts want them: each copies its
// operands into the WebAssembly module, runs the C kernel, copies the result back, and returns
// true; it returns false (the reference runs) where copying would cost more than it saves,
// where the arrays overlap, or where the operands do not fit the module's memory.
import { to3d, type ConvGeometry } from "../../../ir/kernels/conv-geometry.js";
import type { FastKernels, SgemmArgs } from "../../../ir/kernels/fast-slots.js";
import { fastModule, Scratch, type FastExports } from "./module.js";

/** Below this many multiply-adds a GEMM stays in TypeScript (the copies would dominate). */
const MIN_GEMM_MACS = 4096;

function sgemm(m: FastExports, ...[tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc]: SgemmArgs): boolean {
  if (K <= 0 || alpha === 0 || M * N * K < MIN_GEMM_MACS || C.buffer === A.buffer || C.buffer === B.buffer) return false;
  // The spans each operand occupies (rows with their stride), copied whole.
  const aLen = tA ? (K - 1) * lda + M : (M - 1) * lda + K;
  const bLen = tB ? (N - 1) * ldb + K : (K - 1) * ldb + N;
  const cLen = (M - 1) * ldc + N;
  const s = new Scratch(m);
  const a = s.putF32(A, aOff, aLen), b = s.putF32(B, bOff, bLen), c = s.putF32(C, cOff, cLen);
  m.sgemm(tA ? 1 : 0, tB ? 1 : 0, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
  C.set(s.f32(c, cLen), cOff);
  return true;
}

/** to3d's 18 numbers in the order c/depthwise-kernels.h reads them. */
export function geometryInts(g: ConvGeometry): number[] {
  const q = to3d(g);
  return [q.D, q.H, q.W, q.kD, q.kH, q.kW, q.sD, q.sH, q.sW, q.dD, q.dH, q.dW, q.pD, q.pH, q.pW, q.oD, q.oH, q.oW];
}

function depthwiseConv(m: FastExports, x: Float32Array, w: Float32Array, b: Float32Array | undefined, y: Float32Array,
  N: number, C: number, mult: number, g: ConvGeometry): boolean {
  const s = new Scratch(m);
  const xp = s.putF32(x, 0, x.length), wp = s.putF32(w, 0, w.length);
  const bp = b ? s.putF32(b, 0, C * mult) : 0;
  const yp = s.alloc(y.length * 4), gp = s.putI32(geometryInts(g));
  m.depthwiseConv(xp, wp, bp, yp, N, C, mult, gp);
  y.set(s.f32(yp, y.length));
  return true;
}

function depthwiseInputGrad(m: FastExports, dy: Float32Array, w: Float32Array, dx: Float32Array,
  N: number, C: number, mult: number, g: ConvGeometry): boolean {
  const s = new Scratch(m);
  const dyp = s.putF32(dy, 0, dy.length), wp = s.putF32(w, 0, w.length), dxp = s.putF32(dx, 0, dx.length);
  const gp = s.putI32(geometryInts(g));
  m.depthwiseInputGrad(dyp, wp, dxp, N, C, mult, gp);
  dx.set(s.f32(dxp, dx.length));
  return true;
}

/**
 * Runs a kernel call; false (the reference runs instead) when the operands do not fit the
 * module's 32-bit memory (growing it throws a RangeError). Nothing is copied back then.
 */
function fitting(call: () => boolean): boolean {
  try {
    return call();
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}

let kernels: FastKernels | undefined | null = null;

/** The fast kernels for the slots, or undefined when the module cannot run here. */
export function wasmKernels(): FastKernels | undefined {
  if (kernels === null) {
    const m = fastModule();
    kernels = m && {
      sgemm: (...args) => fitting(() => sgemm(m, ...args)),
      depthwiseConvF32: (x, w, b, y, N, C, mult, g) => fitting(() => depthwiseConv(m, x, w, b, y, N, C, mult, g)),
      depthwiseInputGradF32: (dy, w, dx, N, C, mult, g) => fitting(() => depthwiseInputGrad(m, dy, w, dx, N, C, mult, g)),
    };
  }
  return kernels;
}
