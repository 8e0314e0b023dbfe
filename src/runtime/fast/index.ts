// The fast engine: the interpreter's heavy kernels (GEMM, depthwise conv forward and its input
// gradient) run as compiled code computing exactly the numbers of the TypeScript reference
// kernels, so results are identical with the engine on and off. They run natively where this
// machine's C compiler builds them (src/adapters/native-kernels.ts, which hands them in through
// setNativeKernelsProvider: building runs a compiler and writes files, which this layer does
// not), else as WebAssembly (c/, built into the package).
//
// Calibration (synthetic and on data), the report's SQNR pass and `neonc run` turn it on by
// default; plain runGraph does not (it is the reference). Two switches turn it off: a call's
// own option (`fastEngine: false`), and the process-wide one (setFastEngineEnabled(false), the
// CLI's --no-fast-engine), which wins over every call. NEONC_FAST_ENGINE=wasm keeps the kernels in
// WebAssembly; NEONC_FAST_ENGINE=native demands the native build (an error when it fails).
import { withFastKernels, type FastKernels } from "../../../ir/kernels/fast-slots.js";
import { UsageError } from "../../../ir/errors.js";
import { wasmKernels } from "./kernels.js";

let enabled = true;

/** The process-wide switch: false keeps every kernel in TypeScript, whatever a call asks. */
export function setFastEngineEnabled(on: boolean): void {
  enabled = on;
}

/** The native kernels where they build, or why not (set by the layer that can build them). */
export type NativeKernelsProvider = () => { kernels: FastKernels | undefined; why: string };
let nativeProvider: NativeKernelsProvider | undefined;

/** Hands the engine a way to get native kernels; without one it runs WebAssembly. */
export function setNativeKernelsProvider(provider: NativeKernelsProvider | undefined): void {
  nativeProvider = provider;
  kernels = undefined;
}

const BACKENDS = ["auto", "wasm", "native"] as const;
let kernels: { value: FastKernels | undefined; backend: string } | undefined;

/** The kernels of this host, chosen once per process (NEONC_FAST_ENGINE: auto, wasm or native). */
function hostKernels(): { value: FastKernels | undefined; backend: string } {
  if (kernels) return kernels;
  const choice = process.env.NEONC_FAST_ENGINE || "auto";
  if (!(BACKENDS as readonly string[]).includes(choice)) {
    throw new UsageError(`NEONC_FAST_ENGINE=${choice} is not one of ${BACKENDS.join(", ")}`);
  }
  const got = choice === "wasm" ? undefined : nativeProvider?.();
  const native = got?.kernels;
  if (choice === "native" && !native) {
    throw new UsageError(`NEONC_FAST_ENGINE=native, but ${got ? got.why : "no native kernels were installed (installNativeKernels)"}`);
  }
  if (native) return (kernels = { value: native, backend: "native" });
  const wasm = wasmKernels();
  return (kernels = { value: wasm, backend: wasm ? "WebAssembly" : "none" });
}

/** Runs fn with the fast engine on (unless `on` is false, the switch is off, or the host cannot run it) or off. */
export function withFastEngine<T>(on: boolean | undefined, fn: () => T): T {
  return withFastKernels((on ?? true) && enabled ? hostKernels().value : undefined, fn);
}

/** True when this host can run the fast engine's kernels. */
export function fastEngineAvailable(): boolean {
  return hostKernels().value !== undefined;
}

/** What the fast engine runs on this host: "native", "WebAssembly" or "none". */
export function fastEngineBackend(): string {
  return hostKernels().backend;
}
