// The record the quantize pass leaves in a quantized graph's metadata: for each float value, the
// integer value that stands for it and its scale and zero point. The SQNR report reads it to
// compare every layer of the quantized graph with its float original.

/** Metadata key of the float-name -> int-version map. */
export const QUANTIZED_VALUES_META = "neonc.quantized-values";

/** Where an integer version of a float value came from (float name -> int name). */
export interface QuantizedValue {
  readonly int: string;
  readonly scale: number;
  readonly zeroPoint: number;
}
