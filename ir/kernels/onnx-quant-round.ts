// Rounding and saturation shared by the quantization kernels.
//
// ONNX quantization rounds to nearest with ties to even, then adds the zero point, then clamps
// to the output type's range. JavaScript's Math.round breaks ties upwards, so ties are fixed up
// here; every value handled is a double, and the results are exact integers.

/** Round to nearest integer, ties to even (NaN stays NaN). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round ties go up: r - x === 0.5 exactly marks a tie; step down when r is odd.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Quantizes one real value already divided by its scale: round half to even, add the zero
 * point, clamp to [lo, hi]. NaN maps to the zero point (ONNX leaves it undefined).
 */
export function quantizeValue(q: number, zp: number, lo: number, hi: number): number {
  if (q !== q) return zp;
  const v = roundHalfEven(q) + zp;
  return v < lo ? lo : v > hi ? hi : v;
}

/** The f32 requantization multiplier in_scale * w_scale / out_scale, as the ONNX reference forms it. */
export function requantMultiplier(inScale: number, wScale: number, outScale: number): number {
  return Math.fround(Math.fround(inScale * wScale) / outScale);
}
