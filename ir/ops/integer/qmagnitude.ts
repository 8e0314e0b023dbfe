// QMagnitude: the magnitude sqrt(re^2 + im^2) of a complex value given as two 8-bit tensors of
// one scale (the real and imaginary halves of an STFT), computed exactly in integers.
//
// Why an op of its own: a spectrum's power re^2 + im^2 spans twice the dynamic range (in dB)
// of its halves, so requantizing the squares and their sum to 8 bits (QMul, QAdd) before a
// Sqrt table zeroes every quiet bin; 16 bits are not enough either. Here the sum of the centred
// squares is exact (at most 2 * 255^2 < 2^17), its square root is taken exactly to `frac_bits`
// binary places, r = floor(sqrt(n) * 2^frac_bits) = isqrt(n * 4^frac_bits) < 2^31, and r is
// requantized like any accumulator: y = clamp(zp + rq(r, multiplier, shift)) with the real
// multiplier s_in / (2^frac_bits s_y). The only roundings are the floor (below 2^-frac_bits of
// an input step) and the output requantization. docs/quantization.md has the numbers.
import { defineOp, int } from "../../op.js";
import { makeTensor, tensorType } from "../../types.js";
import type { NumericArray } from "../../dtype.js";
import { requantizeChannels } from "../../kernels/integer-requant.js";
import { checkZeroPoint, expectDtype, need, outDtype, requantAttrs, requantParams } from "./common.js";
import { qmagnitudeToOnnx } from "./to-onnx.js";

/** Largest frac_bits: isqrt(n 4^f) stays below 2^31 for n < 2^17. */
export const MAX_MAGNITUDE_FRAC_BITS = 7;

/** floor(sqrt(n)) of a non-negative integer below 2^52 (Math.sqrt is correctly rounded, so the floor is exact there). */
export function isqrt(n: number): number {
  return Math.floor(Math.sqrt(n));
}

export const QMagnitude = defineOp({
  name: "QMagnitude",
  doc: "Exact integer magnitude sqrt(re^2 + im^2) of two 8-bit tensors of one scale, requantized (an STFT's magnitude).",
  attrs: { re_zero_point: int(0), im_zero_point: int(0), frac_bits: int(MAX_MAGNITUDE_FRAC_BITS), ...requantAttrs },
  inputs: ["re", "im"],
  outputs: ["y"],
  infer([rt, it], a) {
    const re = need(rt, "re"), im = need(it, "im");
    expectDtype(re, ["i8", "u8"], "re");
    expectDtype(im, ["i8", "u8"], "im");
    checkZeroPoint(a.re_zero_point, re.dtype, "re_zero_point");
    checkZeroPoint(a.im_zero_point, im.dtype, "im_zero_point");
    checkFracBits(a.frac_bits);
    if (re.shape.length !== im.shape.length || re.shape.some((d, i) => String(d) !== String(im.shape[i]))) {
      throw new Error(`re and im must have one shape, got [${re.shape.join(",")}] and [${im.shape.join(",")}]`);
    }
    requantParams(a, 1);
    return [tensorType(outDtype(a), re.shape)];
  },
  evaluate([rt, it], a) {
    const re = need(rt, "re"), im = need(it, "im");
    const rq = requantParams(a, 1);
    const rd = re.data as NumericArray, id = im.data as NumericArray;
    const scale = 4 ** checkFracBits(a.frac_bits);
    const roots = new Int32Array(rd.length);
    for (let i = 0; i < rd.length; i++) {
      const x = rd[i]! - a.re_zero_point, y = id[i]! - a.im_zero_point;
      roots[i] = isqrt((x * x + y * y) * scale);
    }
    const out = makeTensor(outDtype(a), re.shape);
    requantizeChannels(roots, out.data as NumericArray, 1, 1, roots.length, rq);
    return [out];
  },
  toOnnx: qmagnitudeToOnnx,
});

function checkFracBits(f: number): number {
  if (!Number.isInteger(f) || f < 0 || f > MAX_MAGNITUDE_FRAC_BITS) throw new Error(`frac_bits ${f} is outside [0, ${MAX_MAGNITUDE_FRAC_BITS}]`);
  return f;
}
