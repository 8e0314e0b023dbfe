// The C code generator's public API: targets, the kernel contract, compilation of a graph to C
// sources, the memory plan, and the rig that builds and runs the generated code.
export { TARGET_NAMES, getTarget, isTargetName, type Target, type TargetName } from "../ir/target.js";
export { rigFor, runModes, STRICT_FLAGS, type Rig, type RunMode } from "./targets.js";
export { defineKernel, registerKernel, registerKernelProvider, findKernel, kernelOps, type KernelDef, type KernelContext, type WeightData } from "./kernel.js";
export { compileGraph, graphSymbols, CodegenError, type CompileOptions, type CompiledModel, type IoDesc } from "./emit-model.js";
export { packBuffers, planGraph, liveLowerBound, maxNumel, type BufferRequest, type Packing, type GraphPlan } from "./memory-plan.js";
export { buildModel, runBuild, writeSources, rigMissing, hasTool, compareTensors, bindDims, BuildError, type Build, type RunResult } from "./build.js";
