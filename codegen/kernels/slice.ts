// Slice of any dtype with steps (negative too) and starts/ends that may be symbolic (e.g. T-1
// from a Shape computation): each axis's first index is resolved with the ONNX clamping rules,
// at compile time when everything is a number and at run time otherwise; its length is the
// output dim. Axes after the last sliced one are copied whole, so the innermost copy is a
// memcpy of a contiguous block (of the whole sliced run when that axis has step 1).
import type { Dim } from "../../ir/dim.js";
import { sliceAxis } from "../../ir/kernels/slice.js";
import { cDim, cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";

const INT_MAX = 2147483647;

/** A start index as a C int expression; huge values (INT64_MAX style) clamp to the int range. */
function cIndex(d: Dim): string {
  if (typeof d !== "number") return cDim(d);
  return String(Math.max(-INT_MAX, Math.min(INT_MAX, d)));
}

function useSliceStart(ctx: KernelContext): void {
  ctx.helper("slice_start", `
/* First index of an ONNX slice of a dim of size d (negative start counts from the end, clamped). */
static inline int neonc_slice_start(int d, int start, int step) {
  int s = start < 0 ? start + d : start;
  if (s < 0) s = 0;
  if (step > 0) { if (s > d) s = d; } else { if (s > d - 1) s = d - 1; }
  return s;
}`);
}

export const sliceKernel = defineKernel({
  op: "Slice",
  supports(_node, attrs) {
    const steps = (attrs.steps as readonly number[] | undefined) ?? [];
    if (steps.some((s) => s === 0 || !Number.isInteger(s))) return "slice steps must be non-zero integers";
    return undefined;
  },
  emit(node, attrs, ctx) {
    const xN = node.inputs[0]!, yN = node.outputs[0]!;
    const x = ctx.type(xN), y = ctx.type(yN);
    const rank = x.shape.length;
    const starts = attrs.starts as readonly Dim[];
    const axes = (attrs.axes as readonly number[] | undefined) ?? starts.map((_, i) => i);
    const steps = (attrs.steps as readonly number[] | undefined) ?? starts.map(() => 1);
    const start: string[] = x.shape.map(() => "0");
    const step: number[] = x.shape.map(() => 1);
    let lastSliced = -1;
    const pre: string[] = [];
    axes.forEach((a, i) => {
      const k = a < 0 ? a + rank : a;
      step[k] = steps[i]!;
      const d = x.shape[k]!, s = starts[i]!;
      if (typeof d === "number" && typeof s === "number") {
        const e = (attrs.ends as readonly Dim[])[i]!;
        start[k] = String(sliceAxis(d, s, typeof e === "number" ? e : d, steps[i]!).start);
      } else {
        useSliceStart(ctx);
        start[k] = `s${k}`;
        pre.push(`const int s${k} = neonc_slice_start(${cDim(d)}, ${cIndex(s)}, ${steps[i]});`);
      }
      if (step[k] !== 1 || start[k] !== "0" || y.shape[k] !== x.shape[k]) lastSliced = Math.max(lastSliced, k);
    });
    const xp = ctx.ptr(xN), yp = ctx.ptr(yN);
    if (lastSliced < 0) return `memcpy(${yp}, ${xp}, (size_t)${ctx.numel(yN)} * sizeof(*${yp}));`;
    // Contiguous block per innermost iteration: the whole axes after lastSliced (and the sliced
    // run itself when its step is 1).
    const whole = cProduct(x.shape.slice(lastSliced + 1));
    const loops = step[lastSliced] === 1 ? lastSliced : lastSliced + 1;
    const block = step[lastSliced] === 1 ? `(size_t)${cDim(y.shape[lastSliced]!)} * ${whole}` : whole;
    const stride = x.shape.map((_, k) => cProduct(x.shape.slice(k + 1)));
    const lines = [...pre, `const char *xs = (const char *)${xp};`, `char *ys = (char *)${yp};`, `const size_t es = sizeof(*${yp}), run = (size_t)${block} * es;`];
    if (loops === 0) {
      lines.push(`memcpy(ys, xs + (size_t)(${start[0]}) * ${stride[0]} * es, run);`);
      return lines.join("\n");
    }
    lines.push(`int ${Array.from({ length: loops }, (_, k) => `i${k}`).join(", ")};`);
    let pad = "";
    for (let k = 0; k < loops; k++) {
      lines.push(`${pad}for (i${k} = 0; i${k} < ${cDim(y.shape[k]!)}; i${k}++)`);
      pad += "  ";
    }
    const off = Array.from({ length: loops }, (_, k) => `(size_t)(${start[k]} + i${k} * ${step[k]}) * ${stride[k]}`);
    if (loops === lastSliced) off.push(`(size_t)(${start[lastSliced]}) * ${stride[lastSliced]}`);
    lines.push(`${pad}{ memcpy(ys, xs + (${off.join(" + ")}) * es, run); ys += run; }`);
    return lines.join("\n");
  },
});
