// The C code generator's public API: targets, the kernel contract, compilation of a graph (or a
// whole model with its pipeline) to C sources, the memory plan, the rig that builds and runs the
// generated code, the C engine that runs input sets through it, and the check against the
// interpreter. src/index.ts re-exports all of it.
export { TARGET_NAMES, getTarget, isTargetName, type Target, type TargetName } from "../ir/target.js";
export { rigFor, runModes, STRICT_FLAGS, type Rig, type RunMode } from "./targets.js";
export { defineKernel, registerKernel, registerKernelProvider, findKernel, kernelOps, type KernelDef, type KernelContext, type WeightData } from "./kernel.js";
export { compileGraph, graphSymbols, CodegenError, type CompileOptions, type CompiledModel, type IoDesc } from "./emit-model.js";
export { packBuffers, planGraph, liveLowerBound, maxNumel, type BufferRequest, type Packing, type GraphPlan } from "./memory-plan.js";
export { buildModel, runBuild, writeSources, writeWasmModule, rigMissing, hasTool, compareTensors, bindDims, BuildError, type Build, type BuildOptions, type RunResult } from "./build.js";
export { codegenStages } from "./stages.js";
export { compileChecked, compileModel, type CompileModelOptions, type CompiledModelResult } from "./compile-model.js";
export { CEngine, haveSimde, hostTarget, modeFor, largestDims, type CEngineOptions, type CRun, type CBatch } from "./engine.js";
export { checkAgainstInterpreter, randomInputs, type InputSet, type OutputComparison, type CheckReport } from "./check.js";
export { formatProfile, markNodeBlocks, profileByOp, type NodeMarks, type NodeTime } from "./profile.js";
