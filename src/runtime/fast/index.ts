// The fast engine: the interpreter's heavy kernels (GEMM, depthwise conv forward and its input
// gradient) run as WebAssembly built from C (c/), computing exactly the numbers of the
// TypeScript reference kernels, so results are identical with the engine on and off.
// Calibration, the report's SQNR pass and batch `neonc run` turn it on by default; the library
// option `fastEngine: false` (CLI `--no-fast-engine`) keeps everything in TypeScript.
import { withFastKernels } from "../../../ir/kernels/fast-slots.js";
import { wasmKernels } from "./kernels.js";

/** Runs fn with the fast engine on (when `on` and this host runs WebAssembly) or off. */
export function withFastEngine<T>(on: boolean, fn: () => T): T {
  return withFastKernels(on ? wasmKernels() : undefined, fn);
}

/** True when this host can run the fast engine's kernels. */
export function fastEngineAvailable(): boolean {
  return wasmKernels() !== undefined;
}
