// Reference Einsum: for every output position, the sum over the summed labels of the product of
// the operands' elements, accumulated in double. Each operand steps through a label by the sum of
// its strides on the axes with that label (so "ii" walks the diagonal), 0 where it lacks the
// label or broadcasts it.

/**
 * out[o] = sum over summed labels of prod_k x_k[...]. `labels` lists the output labels then the
 * summed ones with their sizes; `strides[k][l]` is operand k's element step for label l.
 */
export function einsumKernel(
  xs: readonly ArrayLike<number>[], sizes: readonly number[], strides: readonly (readonly number[])[], outLabels: number, out: Float64Array,
): void {
  const L = sizes.length;
  const K = xs.length;
  const outCount = sizes.slice(0, outLabels).reduce((p, d) => p * d, 1);
  const sumCount = sizes.slice(outLabels).reduce((p, d) => p * d, 1);
  const idx = new Int32Array(L);
  const off = new Float64Array(K);
  for (let o = 0; o < outCount; o++) {
    // Offsets of each operand at the output position (summed labels at 0).
    off.fill(0);
    for (let l = 0; l < outLabels; l++) for (let k = 0; k < K; k++) off[k]! += idx[l]! * strides[k]![l]!;
    let acc = 0;
    const at = Float64Array.from(off);
    for (let s = 0; s < sumCount; s++) {
      let p = 1;
      for (let k = 0; k < K; k++) p *= xs[k]![at[k]!]!;
      acc += p;
      // Odometer over the summed labels.
      for (let l = L - 1; l >= outLabels; l--) {
        idx[l]!++;
        for (let k = 0; k < K; k++) at[k]! += strides[k]![l]!;
        if (idx[l]! < sizes[l]!) break;
        for (let k = 0; k < K; k++) at[k]! -= strides[k]![l]! * sizes[l]!;
        idx[l] = 0;
      }
    }
    out[o] = acc;
    for (let l = outLabels - 1; l >= 0; l--) {
      if (++idx[l]! < sizes[l]!) break;
      idx[l] = 0;
    }
  }
}
