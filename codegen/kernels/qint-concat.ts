// QConcat in C: for each index of the axes before `axis`, each input contributes one run,
// copied as is (multiplier 0) or requantized to the output's scale and zero point with the
// node's rounding (x - x_zp scaled, + y_zp, clamped to the output type's full range, as the
// interpreter does).
import { intRange } from "../../ir/dtype.js";
import { isRounding } from "../../ir/fixed-point.js";
import { normAxis } from "../../ir/shape-util.js";
import { cProduct, ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { useRequantRow } from "./qint-common.js";

export const qConcatKernel = defineKernel({
  op: "QConcat",
  supports(node, _a, g) {
    const y = g.types[node.outputs[0]!]!.dtype;
    for (const v of node.inputs) if (v && g.types[v]!.dtype !== y) return `inputs of another dtype than the output (${y}) are not generated`;
    return y === "i8" || y === "u8" ? undefined : `the output is ${y}; the C kernel handles i8, u8`;
  },
  emit(node, attrs, ctx) {
    const yN = node.outputs[0]!;
    const y = ctx.type(yN);
    const ct = ctype(y.dtype);
    const axis = normAxis(attrs.axis as number, y.shape.length);
    const rounding = attrs.rounding as string;
    if (!isRounding(rounding)) return ctx.fail(`unknown rounding ${rounding}`);
    const [lo, hi] = intRange(y.dtype);
    const mult = attrs.multipliers as readonly number[], shifts = attrs.shifts as readonly number[], zps = attrs.x_zero_points as readonly number[];
    const yzp = attrs.y_zero_point as number;
    let maxRun = 1;
    node.inputs.forEach((v) => { maxRun = Math.max(maxRun, ctx.type(v).shape.slice(axis).reduce<number>((n, d) => n * ctx.maxDim(d), 1)); });
    const needsRq = mult.some((m) => m !== 0);
    const acc = needsRq ? ctx.scratch(maxRun, "int32_t") : "";
    const row = needsRq ? useRequantRow(ctx, { multiplier: [1], shift: [0], rounding, zeroPoint: yzp, qmin: lo, qmax: hi }, y.dtype) : undefined;
    const lines = [`const size_t outer = (size_t)${cProduct(y.shape.slice(0, axis))};`, `${ct} *ys = ${ctx.ptr(yN)};`, `size_t o;`];
    if (needsRq) lines.push(`int32_t *acc = ${acc};`, `int j;`);
    lines.push(`for (o = 0; o < outer; o++) {`);
    node.inputs.forEach((v, i) => {
      const run = `${cProduct(ctx.type(v).shape.slice(axis))}`;
      const src = `${ctx.ptr(v)} + o * (size_t)${run}`;
      if (mult[i] === 0) {
        lines.push(`  memcpy(ys, ${src}, (size_t)${run} * sizeof(${ct}));`);
      } else {
        lines.push(`  { const ${ct} *xs = ${src}; for (j = 0; j < ${run}; j++) acc[j] = (int32_t)xs[j] - ${zps[i]}; }`);
        lines.push(`  ${row!.one}(acc, ys, ${run}, ${mult[i]}, ${shifts[i]}, ${yzp}, ${lo}, ${hi});`);
      }
      lines.push(`  ys += ${run};`);
    });
    lines.push(`}`);
    return lines.join("\n");
  },
});
