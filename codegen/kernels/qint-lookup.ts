// QLookup in C: y = table[x - min(x's type)], the 256-entry table stored in weights.c in the
// output type. Pure loads: no arithmetic beyond the index offset. On aarch64, 8-bit tables sit
// in 16 q registers and 16 lookups are one TBL and three TBX over 64-byte quarters (the
// index minus 64 per quarter; TBX keeps lanes whose index is out of its range): 9 instructions
// per 16 values against ~3 per value for the scalar loads. ARM compilers only: through SIMDe each
// TBL/TBX becomes four pshufb and three blends, slower than the scalar loop (docs/measurements.md).
import { intRange } from "../../ir/dtype.js";
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { dtypesIn } from "./qint-common.js";

export const qLookupKernel = defineKernel({
  op: "QLookup",
  supports: (node, _a, g) => dtypesIn(node, g, { 0: ["i8", "u8"] }, ["i8", "u8", "i16"]),
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const xt = ctx.type(x).dtype, yt = ctx.type(y).dtype;
    const values = attrs.table as readonly number[];
    const [lo, hi] = intRange(yt);
    if (values.length !== 256 || values.some((v) => v < lo || v > hi)) ctx.fail(`the table must have 256 entries in the range of ${yt}`);
    const data = yt === "i8" ? Int8Array.from(values) : yt === "u8" ? Uint8Array.from(values) : Int16Array.from(values);
    const table = ctx.addWeights("qlookup_table", data);
    const base = xt === "i8" ? 128 : 0;
    const tbl = ctx.target.arch === "aarch64" && yt !== "i16";
    return [
      `const ${ctype(xt)} *x = ${ctx.ptr(x)};`,
      `${ctype(yt)} *y = ${ctx.ptr(y)};`,
      `const ${ctype(yt)} *table = ${table};`,
      `int i = 0, n = ${ctx.numel(x)};`,
      ...(tbl ? [
        `#if defined(__ARM_NEON) || defined(__ARM_NEON__)`,
        `{`,
        `  const uint8_t *tb = (const uint8_t *)table;`,
        `  uint8x16x4_t t0, t1, t2, t3;`,
        `  const uint8x16_t q = vdupq_n_u8(64);`,
        `  int k;`,
        `  for (k = 0; k < 4; k++) { t0.val[k] = vld1q_u8(tb + 16 * k); t1.val[k] = vld1q_u8(tb + 64 + 16 * k); t2.val[k] = vld1q_u8(tb + 128 + 16 * k); t3.val[k] = vld1q_u8(tb + 192 + 16 * k); }`,
        `  for (; i + 16 <= n; i += 16) {`,
        // int8 x + 128 is x with its top bit flipped.
        `    uint8x16_t ix = ${xt === "i8" ? "veorq_u8(vreinterpretq_u8_s8(vld1q_s8(x + i)), vdupq_n_u8(0x80))" : "vld1q_u8(x + i)"};`,
        `    uint8x16_t r = vqtbl4q_u8(t0, ix);`,
        `    r = vqtbx4q_u8(r, t1, ix = vsubq_u8(ix, q));`,
        `    r = vqtbx4q_u8(r, t2, ix = vsubq_u8(ix, q));`,
        `    r = vqtbx4q_u8(r, t3, vsubq_u8(ix, q));`,
        `    vst1q_u8((uint8_t *)y + i, r);`,
        `  }`,
        `}`,
        `#endif`,
      ] : []),
      `for (; i < n; i++) y[i] = table[(int)x[i] + ${base}];`,
    ].join("\n");
  },
});
