// The few WebAssembly JS API calls codegen makes (checking a built module's imports, running the
// toolchain probe), typed here: the project compiles against ES2023 and @types/node 20, and
// neither declares the WebAssembly global that Node provides.

export interface WasmImport { readonly module: string; readonly name: string; readonly kind: string }

interface WasmModuleClass {
  new (bytes: Uint8Array): object;
  imports(m: object): WasmImport[];
}

interface WasmApi {
  readonly Module: WasmModuleClass;
  readonly Instance: new (m: object, imports: object) => { readonly exports: Record<string, unknown> };
}

export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
