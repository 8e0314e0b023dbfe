// Pad of any dtype in the modes constant, reflect, edge and wrap, with negative pads cropping
// (cropping first, then the mode reads the kept range, as the interpreter does). Each output
// row (all axes but the last) maps its coordinates to an input row, or is a constant row; the
// kept middle of a row is one memcpy and only the padded ends go element by element.
import { cDim, cFloat, ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";

const MODES: Readonly<Record<string, number>> = { constant: 0, edge: 1, reflect: 2, wrap: 3 };

function usePadIndex(ctx: KernelContext): void {
  ctx.helper("pad_index", `
/* Input index of output index o along an axis of size n padded by (begin, end); -1 = constant. */
static inline int neonc_pad_index(int o, int n, int begin, int end, int mode) {
  const int lo = begin < 0 ? -begin : 0, hi = n - (end < 0 ? -end : 0), m = hi - lo;
  const int i = o - begin, j = i - lo;
  int r;
  if (i >= lo && i < hi) return i;
  if (mode == 0 || m <= 0) return -1;
  if (mode == 1) r = j < 0 ? 0 : m - 1;
  else if (mode == 3) r = ((j % m) + m) % m;
  else if (m == 1) r = 0;
  else {
    const int period = 2 * (m - 1);
    r = ((j % period) + period) % period;
    if (r >= m) r = period - r;
  }
  return lo + r;
}`);
}

export const padKernel = defineKernel({
  op: "Pad",
  supports(node, attrs, g) {
    const mode = (attrs.mode as string | undefined) ?? "constant";
    if (!(mode in MODES)) return `pad mode "${mode}" is not one of constant, reflect, edge, wrap`;
    const t = g.types[node.inputs[0]!];
    if (!t || ["f64", "i64", "u64", "f16", "bf16", "string"].includes(t.dtype)) return `${t?.dtype ?? "unknown"} tensors are not padded by the C kernel`;
    if (t.shape.length === 0) return "a scalar has nothing to pad";
    return undefined;
  },
  emit(node, attrs, ctx) {
    usePadIndex(ctx);
    const xN = node.inputs[0]!, yN = node.outputs[0]!;
    const x = ctx.type(xN);
    const r = x.shape.length;
    const pads = attrs.pads as readonly number[];
    const mode = MODES[(attrs.mode as string | undefined) ?? "constant"]!;
    const v = (attrs.value as number | undefined) ?? 0;
    const fill = x.dtype === "f32" ? cFloat(v) : String(Math.trunc(v));
    const xs = ctx.shape(xN), ys = ctx.shape(yN);
    const last = r - 1;
    const yp = ctx.ptr(yN), xp = ctx.ptr(xN);
    const ct = ctype(x.dtype);
    const lines: string[] = [];
    const idx = Array.from({ length: last }, (_, k) => `i${k}`);
    lines.push(
      `const int n = ${xs[last]}, on = ${ys[last]}, b = ${pads[last]}, e = ${pads[last + r]};`,
      `const int lo = b < 0 ? -b : 0, hi = n - (e < 0 ? -e : 0), jb = b + lo, je = b + hi;`,
      ...(last > 0 ? [`int ${idx.join(", ")};`] : []),
      `int j;`,
      `size_t orow = 0;`,
    );
    let pad = "";
    for (let k = 0; k < last; k++) {
      lines.push(`${pad}for (i${k} = 0; i${k} < ${ys[k]}; i${k}++)`);
      pad += "  ";
    }
    lines.push(`${pad}{`);
    const body: string[] = [];
    // Input row: each outer coordinate mapped; -1 anywhere means the row is all constant.
    body.push(`long irow = 0;`, last > 0 ? `int ok = 1, s;` : `const int ok = 1;`);
    for (let k = 0; k < last; k++) {
      body.push(`s = neonc_pad_index(i${k}, ${cDim(x.shape[k]!)}, ${pads[k]}, ${pads[k + r]}, ${mode}); if (s < 0) ok = 0; irow = irow * ${xs[k]} + s;`);
    }
    body.push(
      `{`,
      `  ${ct} *yr = ${yp} + orow * (size_t)on;`,
      `  if (!ok) { for (j = 0; j < on; j++) yr[j] = ${fill}; }`,
      `  else {`,
      `    const ${ct} *xr = ${xp} + (size_t)irow * (size_t)n;`,
      `    for (j = 0; j < jb && j < on; j++) { const int q = neonc_pad_index(j, n, b, e, ${mode}); yr[j] = q < 0 ? ${fill} : xr[q]; }`,
      `    if (je > jb) memcpy(yr + jb, xr + lo, (size_t)(je - jb) * sizeof(*yr));`,
      `    for (j = je > jb ? je : jb; j < on; j++) { const int q = neonc_pad_index(j, n, b, e, ${mode}); yr[j] = q < 0 ? ${fill} : xr[q]; }`,
      `  }`,
      `}`,
      `orow++;`,
    );
    lines.push(...body.map((l) => `${pad}  ${l}`), `${pad}}`);
    return lines.join("\n");
  },
});
