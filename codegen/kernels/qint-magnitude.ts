// QMagnitude in C (ir/ops/integer/qmagnitude.ts): per element the exact sum of the centred
// squares, its integer square root to frac_bits places (digit by digit, no floating point, so
// every target gives the interpreter's bits), into int32 scratch; then one requantized row.
// The loop is scalar: an STFT magnitude is a few hundred values per chunk, next to the convs.
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { dtypesIn, requantOf, rqTail, useRequantRow } from "./qint-common.js";

/** floor(sqrt(n)) of a uint32 by the binary digit-by-digit method: exact for every n. */
const ISQRT_C = `/* floor(sqrt(n)), exact: one result bit per step from the top. */
static inline int32_t neonc_isqrt_u32(uint32_t n) {
  uint32_t r = 0, bit = 1u << 30;
  while (bit > n) bit >>= 2;
  while (bit != 0) {
    if (n >= r + bit) {
      n -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  return (int32_t)r;
}`;

export const qMagnitudeKernel = defineKernel({
  op: "QMagnitude",
  supports: (node, _a, g) => dtypesIn(node, g, { 0: ["i8", "u8"], 1: ["i8", "u8"] }, ["i8", "u8", "i16"]),
  emit(node, attrs, ctx) {
    const p = requantOf(attrs, 1, ctx);
    const [re, im] = node.inputs as [string, string];
    const y = node.outputs[0]!;
    const frac = attrs.frac_bits as number;
    const [zr, zi] = [attrs.re_zero_point as number, attrs.im_zero_point as number];
    ctx.helper("isqrt_u32", ISQRT_C);
    const row = useRequantRow(ctx, p, ctx.type(y).dtype);
    return [
      `const ${ctype(ctx.type(re).dtype)} *re = ${ctx.ptr(re)};`,
      `const ${ctype(ctx.type(im).dtype)} *im = ${ctx.ptr(im)};`,
      `int i, n = ${ctx.numel(y)};`,
      `int32_t *acc = ${ctx.scratch(ctx.type(y).shape.reduce<number>((a, d) => a * ctx.maxDim(d), 1), "int32_t")};`,
      `for (i = 0; i < n; i++) {`,
      `  int32_t a = (int32_t)re[i] - ${zr}, b = (int32_t)im[i] - ${zi};`,
      `  acc[i] = neonc_isqrt_u32((uint32_t)(a * a + b * b) << ${2 * frac});`,
      `}`,
      `${row.one}(acc, ${ctx.ptr(y)}, n, ${p.multiplier[0]}, ${p.shift[0]}, ${rqTail(p)});`,
    ].join("\n");
  },
});
