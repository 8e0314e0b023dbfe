// Registers every C kernel. Adding a kernel: write codegen/kernels/<op>.ts and list it here.
import { registerKernel, type KernelDef } from "../kernel.js";
import { convKernel } from "./conv.js";
import { elementwiseKernels } from "./elementwise.js";
import { lstmKernel } from "./lstm.js";
import { gemmKernel, matmulKernel } from "./matmul.js";
import { softmaxKernels } from "./softmax.js";
import { viewKernels } from "./views.js";

const all: KernelDef[] = [convKernel, ...elementwiseKernels, lstmKernel, gemmKernel, matmulKernel, ...softmaxKernels, ...viewKernels];
for (const k of all) registerKernel(k);
