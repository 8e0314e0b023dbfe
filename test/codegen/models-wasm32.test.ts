// Every shared model compiled for wasm32 (the NEON code through SIMDe onto SIMD128) and run as a
// WebAssembly module under Node through its generated loader.
import { describeSharedModels } from "./shared-models.js";

describeSharedModels("wasm32", "wasm");
