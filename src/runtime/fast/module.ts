// The fast engine's WebAssembly instance and its scratch memory.
//
// The kernels (c/*.c, built by c/build.mjs into kernels-wasm.ts) are instantiated once, in
// process, on first use: no file, no FFI, nothing to install. Each call copies its operands into
// the module's memory above __heap_base, runs, and copies the results out; the memory only grows.
// Where WebAssembly (with SIMD128) is unavailable, `fastModule` returns undefined and every op
// runs its TypeScript reference kernel.
import { KERNELS_WASM_BASE64 } from "./kernels-wasm.js";

/** The part of the WebAssembly API this file uses (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface FastExports {
  readonly memory: WasmMemory;
  readonly __heap_base: { readonly value: number };
  sgemm(transA: number, transB: number, M: number, N: number, K: number, alpha: number, A: number, lda: number,
    B: number, ldb: number, beta: number, C: number, ldc: number): void;
  depthwiseConv(x: number, w: number, b: number, y: number, N: number, C: number, mult: number, g: number): void;
  depthwiseInputGrad(dy: number, w: number, dx: number, N: number, C: number, mult: number, g: number): void;
}

let loaded: FastExports | undefined | null = null;

/** The instantiated kernels, or undefined when this host cannot run them. */
export function fastModule(): FastExports | undefined {
  if (loaded === null) {
    try {
      const bytes = Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
      const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      loaded = new wasm.Instance(new wasm.Module(bytes), {}).exports as FastExports;
    } catch {
      loaded = undefined;
    }
  }
  return loaded;
}

/**
 * Bump allocation of one call's operands in the module's memory. `alloc` hands out 16-byte
 * aligned byte offsets; views are taken after every allocation is made (growing the memory
 * detaches older views).
 */
export class Scratch {
  private top: number;

  constructor(private readonly m: FastExports) {
    this.top = m.__heap_base.value;
  }

  alloc(bytes: number): number {
    const at = this.top;
    this.top = (at + bytes + 15) & ~15;
    const need = this.top - this.m.memory.buffer.byteLength;
    if (need > 0) this.m.memory.grow(Math.ceil(need / 65536));
    return at;
  }

  /** Copies src[from, from + n) to a new allocation; returns its offset. */
  putF32(src: Float32Array, from: number, n: number): number {
    const at = this.alloc(n * 4);
    this.f32(at, n).set(src.subarray(from, from + n));
    return at;
  }

  putI32(values: readonly number[]): number {
    const at = this.alloc(values.length * 4);
    new Int32Array(this.m.memory.buffer, at, values.length).set(values);
    return at;
  }

  f32(at: number, n: number): Float32Array {
    return new Float32Array(this.m.memory.buffer, at, n);
  }
}
