// The fast engine: the interpreter's heavy kernels (GEMM, depthwise conv forward and its input
// gradient) run as WebAssembly built from C (c/), computing exactly the numbers of the
// TypeScript reference kernels, so results are identical with the engine on and off.
//
// Calibration (synthetic and on data), the report's SQNR pass and `neonc run` turn it on by
// default; plain runGraph does not (it is the reference). Two switches turn it off: a call's
// own option (`fastEngine: false`), and the process-wide one (setFastEngineEnabled(false), the
// CLI's --no-fast-engine), which wins over every call.
import { withFastKernels } from "../../../ir/kernels/fast-slots.js";
import { wasmKernels } from "./kernels.js";

let enabled = true;

/** The process-wide switch: false keeps every kernel in TypeScript, whatever a call asks. */
export function setFastEngineEnabled(on: boolean): void {
  enabled = on;
}

/** Runs fn with the fast engine on (unless `on` is false, the switch is off, or the host cannot run it) or off. */
export function withFastEngine<T>(on: boolean | undefined, fn: () => T): T {
  return withFastKernels((on ?? true) && enabled ? wasmKernels() : undefined, fn);
}

/** True when this host can run the fast engine's kernels. */
export function fastEngineAvailable(): boolean {
  return wasmKernels() !== undefined;
}
