// Gemm: Y = alpha * op(A) * op(B) + beta * C, with C unidirectionally broadcast to [M, N].
//
// C is optional from opset 11; the opset < 7 `broadcast` attribute predates the supported range.
import type { DType } from "../../dtype.js";
import { mulDim } from "../../dim.js";
import { defineOp, float, int } from "../../op.js";
import { withFusedActivation } from "../../activation.js";
import { makeTensor, tensorType } from "../../types.js";
import { gemmGeneric, sgemm } from "../../kernels/gemm.js";
import { checkDim, expectRank, expectSameDtype, need, needTensor, numericData, shapeStr } from "./common.js";

const GEMM_TYPES: readonly DType[] = ["f32", "f64", "i32", "u32"];

// withFusedActivation adds the optional `activation` / `activation_params` attributes (ir/activation.ts).
export const Gemm = withFusedActivation(defineOp({
  name: "Gemm",
  traits: { absorbsBatchNorm: true, int16x8: true },
  doc: "General matrix multiply alpha*A'B' + beta*C with optional transposes (ONNX Gemm).",
  attrs: { alpha: float(1), beta: float(1), transA: int(0), transB: int(0) },
  inputs: ["a", "b", "c?"],
  outputs: ["y"],
  dtypes: GEMM_TYPES,
  infer([at, bt, ct], attrs) {
    const a = need(at, "a"), b = need(bt, "b");
    expectSameDtype(a, b, "a", "b");
    if (!GEMM_TYPES.includes(a.dtype)) throw new Error(`dtype ${a.dtype} is not supported (only ${GEMM_TYPES.join(", ")})`);
    expectRank(a, 2, "a");
    expectRank(b, 2, "b");
    const [M, Ka] = attrs.transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [Kb, N] = attrs.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    checkDim(Ka, Kb, "inner dims of a and b differ");
    if (ct) {
      expectSameDtype(a, ct, "a", "c");
      if (ct.shape.length > 2) throw new Error(`input c must have rank <= 2, got ${shapeStr(ct.shape)}`);
      const cs = ct.shape;
      const cm = cs.length === 2 ? cs[0]! : 1, cn = cs.length >= 1 ? cs[cs.length - 1]! : 1;
      if (cm !== 1) checkDim(cm, M, `c ${shapeStr(cs)} does not broadcast to the ${M}-row result`);
      if (cn !== 1) checkDim(cn, N, `c ${shapeStr(cs)} does not broadcast to the ${N}-column result`);
    }
    return [tensorType(a.dtype, [M, N])];
  },
  evaluate([at, bt, ct], attrs) {
    const a = needTensor(at, "a"), b = needTensor(bt, "b");
    const tA = attrs.transA !== 0, tB = attrs.transB !== 0;
    const [M, K] = tA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [Kb, N] = tB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (K !== Kb) throw new Error(`inner dims of a [${a.shape}] and b [${b.shape}] differ`);
    const y = makeTensor(a.dtype, [M, N]);
    const Y = numericData(y), A = numericData(a), B = numericData(b);
    let beta = 0;
    if (ct && attrs.beta !== 0) {
      broadcastC(numericData(ct), ct.shape, M, N, Y);
      beta = attrs.beta;
    }
    if (A instanceof Float32Array && B instanceof Float32Array && Y instanceof Float32Array) {
      sgemm(tA, tB, M, N, K, attrs.alpha, A, 0, a.shape[1]!, B, 0, b.shape[1]!, beta, Y, 0, N);
    } else {
      gemmGeneric(tA, tB, M, N, K, attrs.alpha, A, 0, a.shape[1]!, B, 0, b.shape[1]!, beta, Y, 0, N);
    }
    return [y];
  },
  macs([at], [y], attrs) {
    const a = need(at, "a");
    const K = attrs.transA ? a.shape[0]! : a.shape[1]!;
    return mulDim(mulDim(y!.shape[0]!, y!.shape[1]!), K);
  },
}));

/** Writes C broadcast to [M, N] into Y. */
function broadcastC(C: ArrayLike<number>, shape: readonly number[], M: number, N: number, Y: { [i: number]: number }): void {
  const rows = shape.length === 2 ? shape[0]! : 1;
  const cols = shape.length >= 1 ? shape[shape.length - 1]! : 1;
  if ((rows !== 1 && rows !== M) || (cols !== 1 && cols !== N)) throw new Error(`c [${shape}] does not broadcast to [${M},${N}]`);
  for (let i = 0; i < M; i++) {
    const src = rows === 1 ? 0 : i * cols;
    const dst = i * N;
    if (cols === 1) for (let j = 0; j < N; j++) Y[dst + j] = C[src]!;
    else for (let j = 0; j < N; j++) Y[dst + j] = C[src + j]!;
  }
}
