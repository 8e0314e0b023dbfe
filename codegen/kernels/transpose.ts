// Transpose of any rank and dtype. Size-1 axes are dropped and axes that stay adjacent are
// merged at compile time (symbolic dims included), so most permutations become a copy, a
// (batched) 2-D transpose, or a few nested loops whose innermost run is a memcpy when the last
// axis does not move. The float 2-D transpose is blocked in 4x4 tiles, transposed in NEON
// registers (vtrnq + vcombine) on the NEON targets.
import { mulDim, type Dim } from "../../ir/dim.js";
import { checkPerm } from "../../ir/ops/shape/transpose.js";
import { cDim, cProduct } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";

/** The permutation on merged axes: merged input dims and, per output axis, its input axis. */
export function simplifyPerm(shape: readonly Dim[], perm: readonly number[]): { dims: Dim[]; perm: number[] } {
  const keep = shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const idx = new Map(keep.map((a, i) => [a, i]));
  const p = perm.filter((a) => shape[a] !== 1).map((a) => idx.get(a)!);
  // Runs of output axes that are consecutive input axes become one axis.
  const runs: number[][] = [];
  for (const a of p) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1]! + 1 === a) last.push(a);
    else runs.push([a]);
  }
  const byStart = [...runs].sort((u, v) => u[0]! - v[0]!);
  const dims = byStart.map((run) => run.reduce<Dim>((acc, a) => mulDim(acc, shape[keep[a]!]!), 1));
  return { dims, perm: runs.map((run) => byStart.indexOf(run)) };
}

function useTranspose2d(ctx: KernelContext): void {
  const block = ctx.target.neon
    ? `
      for (; c + 4 <= C; c += 4) {
        const float32x4x2_t t01 = vtrnq_f32(vld1q_f32(xr + c), vld1q_f32(xr + C + c));
        const float32x4x2_t t23 = vtrnq_f32(vld1q_f32(xr + 2 * C + c), vld1q_f32(xr + 3 * C + c));
        float *yc = yb + c * R + r;
        vst1q_f32(yc, vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0])));
        vst1q_f32(yc + R, vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1])));
        vst1q_f32(yc + 2 * R, vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0])));
        vst1q_f32(yc + 3 * R, vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1])));
      }`
    : "";
  ctx.helper("transpose2d_f32", `
/* y[b][c][r] = x[b][r][c] in 4-row strips, so reads and writes both stay within a few lines. */
static void neonc_transpose2d_f32(size_t B, size_t R, size_t C, const float *x, float *y) {
  size_t b, r, c, k;
  for (b = 0; b < B; b++) {
    const float *xb = x + b * R * C;
    float *yb = y + b * R * C;
    for (r = 0; r + 4 <= R; r += 4) {
      const float *xr = xb + r * C;
      c = 0;${block}
      for (; c < C; c++) for (k = 0; k < 4; k++) yb[c * R + r + k] = xr[k * C + c];
    }
    for (; r < R; r++) for (c = 0; c < C; c++) yb[c * R + r] = xb[r * C + c];
  }
}`);
}

export const transposeKernel = defineKernel({
  op: "Transpose",
  emit(node, attrs, ctx) {
    const xN = node.inputs[0]!, yN = node.outputs[0]!;
    const x = ctx.type(xN);
    const { dims, perm } = simplifyPerm(x.shape, checkPerm(attrs.perm as number[] | undefined, x.shape.length));
    const xp = ctx.ptr(xN), yp = ctx.ptr(yN);
    const R = perm.length;
    if (perm.every((a, i) => a === i)) return `memcpy(${yp}, ${xp}, (size_t)${ctx.numel(yN)} * sizeof(*${yp}));`;
    if (x.dtype === "f32" && R === 2) {
      useTranspose2d(ctx);
      return `neonc_transpose2d_f32(1, (size_t)${cDim(dims[0]!)}, (size_t)${cDim(dims[1]!)}, ${xp}, ${yp});`;
    }
    if (x.dtype === "f32" && R === 3 && perm[0] === 0 && perm[1] === 2) {
      useTranspose2d(ctx);
      return `neonc_transpose2d_f32((size_t)${cDim(dims[0]!)}, (size_t)${cDim(dims[1]!)}, (size_t)${cDim(dims[2]!)}, ${xp}, ${yp});`;
    }
    // General: loops over the output axes; the input stride of each is a product of dims.
    const stride = dims.map((_, i) => cProduct(dims.slice(i + 1)));
    const lastKept = perm[R - 1] === R - 1;
    const loops = lastKept ? R - 1 : R;
    const idx = Array.from({ length: R }, (_, i) => `i${i}`);
    const lines = [`const char *xs = (const char *)${xp};`, `char *ys = (char *)${yp};`, `const size_t es = sizeof(*${yp});`, `size_t ${idx.slice(0, loops).join(", ")}, o = 0;`];
    let pad = "";
    for (let j = 0; j < loops; j++) {
      lines.push(`${pad}for (i${j} = 0; i${j} < (size_t)${cDim(dims[perm[j]!]!)}; i${j}++)`);
      pad += "  ";
    }
    const off = idx.slice(0, loops).map((v, j) => `${v} * (size_t)${stride[perm[j]!]}`).join(" + ");
    if (lastKept) {
      const run = `(size_t)${cDim(dims[R - 1]!)} * es`;
      lines.push(`${pad}{ memcpy(ys + o, xs + (${off}) * es, ${run}); o += ${run}; }`);
    } else {
      lines.push(`${pad}{ memcpy(ys + o, xs + (${off}) * es, es); o += es; }`);
    }
    return lines.join("\n");
  },
});
