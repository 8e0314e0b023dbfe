// MatMul: numpy matmul (batch dims broadcast, 1-D operands promoted then squeezed).
//
// Batches run as one GEMM each; when only A has batch dims (x[B,T,D] . W[D,E], the common
// case in speech encoders) they are folded into the rows of a single GEMM.
import { mulDim, type Dim } from "../../dim.js";
import type { DType } from "../../dtype.js";
import { defineOp } from "../../op.js";
import { withFusedActivation } from "../../activation.js";
import { broadcastDims, broadcastShapes } from "../../shape-util.js";
import { makeTensor, numel, stridesOf, tensorType } from "../../types.js";
import { gemmGeneric, sgemm } from "../../kernels/gemm.js";
import { checkDim, dimProduct, expectSameDtype, need, needTensor, numericData, shapeStr } from "./common.js";

const MATMUL_TYPES: readonly DType[] = ["f32", "f64", "i32", "u32"];

// withFusedActivation adds the optional `activation` / `activation_params` attributes (ir/activation.ts).
export const MatMul = withFusedActivation(defineOp({
  name: "MatMul",
  traits: { absorbsBatchNorm: true, int16x8: true },
  doc: "Matrix product with numpy broadcasting of batch dims (ONNX MatMul).",
  attrs: {},
  inputs: ["a", "b"],
  outputs: ["y"],
  dtypes: MATMUL_TYPES,
  infer([at, bt]) {
    const a = need(at, "a"), b = need(bt, "b");
    expectSameDtype(a, b, "a", "b");
    if (!MATMUL_TYPES.includes(a.dtype)) throw new Error(`dtype ${a.dtype} is not supported (only ${MATMUL_TYPES.join(", ")})`);
    if (a.shape.length === 0 || b.shape.length === 0) throw new Error("MatMul operands must have rank >= 1");
    const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
    const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
    checkDim(as[as.length - 1]!, bs[bs.length - 2]!, `inner dims of ${shapeStr(a.shape)} and ${shapeStr(b.shape)} differ`);
    const batch = broadcastDims(as.slice(0, -2), bs.slice(0, -2));
    const out: Dim[] = [...batch];
    if (a.shape.length > 1) out.push(as[as.length - 2]!);
    if (b.shape.length > 1) out.push(bs[bs.length - 1]!);
    return [tensorType(a.dtype, out)];
  },
  evaluate([at, bt]) {
    const a = needTensor(at, "a"), b = needTensor(bt, "b");
    const as = a.shape.length === 1 ? [1, a.shape[0]!] : [...a.shape];
    const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : [...b.shape];
    const M = as[as.length - 2]!, K = as[as.length - 1]!, N = bs[bs.length - 1]!;
    if (bs[bs.length - 2] !== K) throw new Error(`inner dims of [${a.shape}] and [${b.shape}] differ`);
    const aBatch = as.slice(0, -2), bBatch = bs.slice(0, -2);
    const batch = broadcastShapes(aBatch, bBatch);
    const outShape = [...batch];
    if (a.shape.length > 1) outShape.push(M);
    if (b.shape.length > 1) outShape.push(N);
    const y = makeTensor(a.dtype, outShape);
    const A = numericData(a), B = numericData(b), Y = numericData(y);
    const gemm = (aOff: number, bOff: number, yOff: number, rows: number) => {
      if (A instanceof Float32Array && B instanceof Float32Array && Y instanceof Float32Array) {
        sgemm(false, false, rows, N, K, 1, A, aOff, K, B, bOff, N, 0, Y, yOff, N);
      } else {
        gemmGeneric(false, false, rows, N, K, 1, A, aOff, K, B, bOff, N, 0, Y, yOff, N);
      }
    };
    const nb = numel(batch);
    if (numel(bBatch) === 1 && numel(aBatch) === nb) {
      gemm(0, 0, 0, nb * M);
      return [y];
    }
    // Offsets of each batch of A and B: broadcast dims get stride 0.
    const aStr = batchStrides(aBatch, batch, M * K), bStr = batchStrides(bBatch, batch, K * N);
    const idx = new Array<number>(batch.length).fill(0);
    for (let i = 0; i < nb; i++) {
      let ao = 0, bo = 0;
      for (let d = 0; d < batch.length; d++) {
        ao += idx[d]! * aStr[d]!;
        bo += idx[d]! * bStr[d]!;
      }
      gemm(ao, bo, i * M * N, M);
      for (let d = batch.length - 1; d >= 0; d--) {
        if (++idx[d]! < batch[d]!) break;
        idx[d] = 0;
      }
    }
    return [y];
  },
  macs([at], [y]) {
    const a = need(at, "a");
    return mulDim(dimProduct(y!.shape), a.shape[a.shape.length - 1]!);
  },
}));

/** Element strides of an operand's batch dims aligned to the broadcast batch shape (0 where broadcast). */
function batchStrides(own: readonly number[], batch: readonly number[], matSize: number): number[] {
  const s = stridesOf(own).map((v) => v * matSize);
  const out = new Array<number>(batch.length).fill(0);
  for (let i = 0; i < own.length; i++) {
    const d = batch.length - own.length + i;
    out[d] = own[i] === 1 ? 0 : s[i]!;
  }
  return out;
}
