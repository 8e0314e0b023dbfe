// QLookup in C: y = table[x - min(x's type)], the 256-entry table stored in weights.c in the
// output type. Pure loads: no arithmetic beyond the index offset.
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
    return [
      `const ${ctype(xt)} *x = ${ctx.ptr(x)};`,
      `${ctype(yt)} *y = ${ctx.ptr(y)};`,
      `const ${ctype(yt)} *table = ${table};`,
      `int i, n = ${ctx.numel(x)};`,
      `for (i = 0; i < n; i++) y[i] = table[(int)x[i] + ${base}];`,
    ].join("\n");
  },
});
