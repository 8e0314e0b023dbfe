// Registers every C kernel. Adding a kernel: write codegen/kernels/<op>.ts and list it here.
import { registerKernel, type KernelDef } from "../kernel.js";
import { convKernel } from "./conv.js";
import { elementwiseKernels } from "./elementwise.js";
import { lstmKernel } from "./lstm.js";
import { gemmKernel, matmulKernel } from "./matmul.js";
import { softmaxKernels } from "./softmax.js";
import { viewKernels } from "./views.js";
import { concatKernel } from "./concat.js";
import { gruKernel } from "./gru.js";
import { layerNormKernel } from "./layernorm.js";
import { padKernel } from "./pad.js";
import { poolKernels } from "./pool.js";
import { reduceMeanKernels } from "./reduce-mean.js";
import { sliceKernel } from "./slice.js";
import { transposeKernel } from "./transpose.js";
import { unaryMathKernels } from "./unary-math.js";

const all: KernelDef[] = [convKernel, ...elementwiseKernels, lstmKernel, gemmKernel, matmulKernel, ...softmaxKernels, ...viewKernels];
for (const k of all) registerKernel(k);
for (const k of unaryMathKernels) registerKernel(k);
registerKernel(layerNormKernel);
for (const k of poolKernels) registerKernel(k);
for (const k of reduceMeanKernels) registerKernel(k);
registerKernel(transposeKernel);
registerKernel(concatKernel);
registerKernel(sliceKernel);
registerKernel(padKernel);
registerKernel(gruKernel);
