// Lines model.c adds after SIMDe's NEON header for wasm32: SIMDe 0.7 maps most NEON intrinsics onto
// wasm_simd128, but implements the by-lane and by-scalar multiply-adds (and the roundings to an
// integer, below) as loops over the four
// lanes, which clang keeps as loops through the stack inside the large GEMM functions (it honours
// SIMDe's `vectorize` hint instead of unrolling). wav2letter ran 100x slower than its scalar C that
// way (docs/measurements/2026-12-07-wasm32.md). These redefinitions compute the same values (SIMDe
// already does a multiply then an add: SIMD128 has no fused multiply-add) from a broadcast, a
// vector multiply and a vector add, each of which SIMDe maps onto one SIMD128 instruction.
export const WASM_SIMDE_OVERRIDES: readonly string[] = [
  `#if defined(__wasm_simd128__)`,
  `/* wasm32: SIMDe's per-lane loops for these would go through memory (codegen/wasm-simde.ts). */`,
  `#undef vfmaq_f32`,
  `#define vfmaq_f32(a, b, c) simde_vaddq_f32((a), simde_vmulq_f32((b), (c)))`,
  `#undef vfmaq_laneq_f32`,
  `#define vfmaq_laneq_f32(a, b, v, l) simde_vaddq_f32((a), simde_vmulq_f32((b), simde_vdupq_laneq_f32((v), (l))))`,
  `#undef vfmaq_n_f32`,
  `#define vfmaq_n_f32(a, b, s) simde_vaddq_f32((a), simde_vmulq_f32((b), simde_vdupq_n_f32(s)))`,
  `#undef vmlaq_n_f32`,
  `#define vmlaq_n_f32(a, b, s) simde_vaddq_f32((a), simde_vmulq_f32((b), simde_vdupq_n_f32(s)))`,
  `#undef vmlaq_lane_f32`,
  `#define vmlaq_lane_f32(a, b, v, l) simde_vaddq_f32((a), simde_vmulq_f32((b), simde_vdupq_lane_f32((v), (l))))`,
  // SIMDe rounds these lane by lane through its scalar math, whose roundeven turns -0 into +0;
  // SIMD128 has each as one instruction with IEEE semantics (signs of zero kept).
  `#undef vrndnq_f32`,
  `#define vrndnq_f32(a) wasm_f32x4_nearest(a)`,
  `#undef vrndmq_f32`,
  `#define vrndmq_f32(a) wasm_f32x4_floor(a)`,
  `#undef vrndpq_f32`,
  `#define vrndpq_f32(a) wasm_f32x4_ceil(a)`,
  `#endif`,
];
