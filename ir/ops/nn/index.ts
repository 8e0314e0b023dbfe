// Op family group "nn": the definitions listed here are registered by ir/ops/index.ts.
import type { OpDef } from "../../op.js";
import { ArgMax, ArgMin } from "./arg-reduce.js";
import { BatchNormalization } from "./batchnorm.js";
import { Conv } from "./conv.js";
import { ConvTranspose } from "./conv-transpose.js";
import { CumSum } from "./cumsum.js";
import { Einsum } from "./einsum.js";
import { Gemm } from "./gemm.js";
import { GroupNormalization, InstanceNormalization } from "./groupnorm.js";
import { LayerNormalization } from "./layernorm.js";
import { LpNormalization } from "./lpnorm.js";
import { MatMul } from "./matmul.js";
import { AveragePool, GlobalAveragePool, GlobalMaxPool, MaxPool } from "./pool.js";
import { reduceOps } from "./reduce.js";
import { LogSoftmax, Softmax } from "./softmax.js";
import { Trilu } from "./trilu.js";

export const nnOps: OpDef<any>[] = [
  Conv, ConvTranspose, MatMul, Gemm, Einsum,
  BatchNormalization, LayerNormalization, GroupNormalization, InstanceNormalization, LpNormalization,
  Softmax, LogSoftmax,
  ...reduceOps, ArgMax, ArgMin, CumSum, Trilu,
  AveragePool, MaxPool, GlobalAveragePool, GlobalMaxPool,
];
