// AveragePool and MaxPool over 1 or 2 spatial dims (a 1-D pool is a 2-D one with H = 1), with
// strides, dilations, explicit pads, ceil_mode and count_include_pad. The output lengths come
// from the value types (symbolic T included); the C helper finds, per output position, the
// range of kernel taps that land inside the input, so the window loops never test bounds.
// A window entirely in the padding gives -inf (max) or 0/0 (average), as the interpreter does.
// MaxPool also runs on 8-bit integers (quantize keeps int8 data through it: the
// int8PassThrough trait): the same walk in the integer type, and 0 for a window entirely in the
// padding (what the interpreter's -inf becomes when stored as an integer).
import type { DType } from "../../ir/dtype.js";
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";

function useTaps(ctx: KernelContext): void {
  ctx.helper("pool_taps", `
/* Kernel taps [*lo, *hi) of window origin o0 (may be negative) that fall inside [0, size). */
static inline void neonc_taps(int o0, int k, int d, int size, int *lo, int *hi) {
  int a = o0 >= 0 ? 0 : (-o0 + d - 1) / d;
  int b = size - 1 - o0 < 0 ? 0 : (size - 1 - o0) / d + 1;
  if (b > k) b = k;
  if (a > b) a = b;
  *lo = a;
  *hi = b;
}`);
}

function usePool(ctx: KernelContext): void {
  useTaps(ctx);
  ctx.helper("pool2d_f32", `
/* y[nc][oh][ow] over x[nc][H][W]; g = {kh, kw, sh, sw, dh, dw, ph, pw, peh, pew}. */
static void neonc_pool2d_f32(int NC, int H, int W, int OH, int OW, const int *g, int is_max, int include_pad,
                             const float *x, float *y) {
  int c, oh, ow, kh, kw;
  for (c = 0; c < NC; c++) {
    const float *xc = x + (size_t)c * H * W;
    float *yc = y + (size_t)c * OH * OW;
    for (oh = 0; oh < OH; oh++) {
      int h0 = oh * g[2] - g[6], hlo, hhi, plo, phi;
      neonc_taps(h0, g[0], g[4], H, &hlo, &hhi);
      neonc_taps(oh * g[2], g[0], g[4], H + g[6] + g[8], &plo, &phi);
      for (ow = 0; ow < OW; ow++) {
        int w0 = ow * g[3] - g[7], wlo, whi, qlo, qhi;
        neonc_taps(w0, g[1], g[5], W, &wlo, &whi);
        if (is_max) {
          float m = -HUGE_VALF;
          for (kh = hlo; kh < hhi; kh++) {
            const float *row = xc + (size_t)(h0 + kh * g[4]) * W + w0;
            for (kw = wlo; kw < whi; kw++) { const float v = row[kw * g[5]]; if (v > m) m = v; }
          }
          yc[(size_t)oh * OW + ow] = m;
        } else {
          float s = 0.0f;
          int count;
          for (kh = hlo; kh < hhi; kh++) {
            const float *row = xc + (size_t)(h0 + kh * g[4]) * W + w0;
            for (kw = wlo; kw < whi; kw++) s += row[kw * g[5]];
          }
          if (include_pad) {
            neonc_taps(ow * g[3], g[1], g[5], W + g[7] + g[9], &qlo, &qhi);
            count = (phi - plo) * (qhi - qlo);
          } else {
            count = (hhi - hlo) * (whi - wlo);
          }
          yc[(size_t)oh * OW + ow] = s / (float)count;
        }
      }
    }
  }
}`);
}

const INT_MAX_POOL: readonly DType[] = ["i8", "u8"];

/** Adds the MaxPool of an integer type (same geometry as neonc_pool2d_f32). */
function useIntMaxPool(ctx: KernelContext, dt: DType): string {
  useTaps(ctx);
  const t = ctype(dt), name = `neonc_maxpool2d_${dt}`;
  ctx.helper(name, `
/* MaxPool of ${t} data; a window entirely in the padding gives 0. */
static void ${name}(int NC, int H, int W, int OH, int OW, const int *g, const ${t} *x, ${t} *y) {
  int c, oh, ow, kh, kw;
  for (c = 0; c < NC; c++) {
    const ${t} *xc = x + (size_t)c * H * W;
    ${t} *yc = y + (size_t)c * OH * OW;
    for (oh = 0; oh < OH; oh++) {
      int h0 = oh * g[2] - g[6], hlo, hhi;
      neonc_taps(h0, g[0], g[4], H, &hlo, &hhi);
      for (ow = 0; ow < OW; ow++) {
        int w0 = ow * g[3] - g[7], wlo, whi, m = 0, any = 0;
        neonc_taps(w0, g[1], g[5], W, &wlo, &whi);
        for (kh = hlo; kh < hhi; kh++) {
          const ${t} *row = xc + (size_t)(h0 + kh * g[4]) * W + w0;
          for (kw = wlo; kw < whi; kw++) { const int v = row[kw * g[5]]; if (!any || v > m) { m = v; any = 1; } }
        }
        yc[(size_t)oh * OW + ow] = (${t})m;
      }
    }
  }
}`);
  return name;
}

function poolSupports(node: Node, attrs: Attrs, g: Graph): string | undefined {
  const x = g.types[node.inputs[0]!];
  if (x?.dtype !== "f32" && !(node.op === "MaxPool" && x && INT_MAX_POOL.includes(x.dtype))) {
    return node.op === "MaxPool" ? "only float32, int8 and uint8 max pooling is generated" : "only float32 pooling is generated";
  }
  if (x.shape.length !== 3 && x.shape.length !== 4) return "only 1-D and 2-D pooling is generated";
  const ap = (attrs.auto_pad as string | undefined) ?? "NOTSET";
  if (ap !== "NOTSET" && ap !== "VALID") return `auto_pad ${ap} with symbolic input dims is not supported; export explicit pads`;
  if (node.outputs[1]) return "the Indices output of MaxPool is not generated";
  return undefined;
}

function poolKernel(op: "AveragePool" | "MaxPool"): KernelDef {
  return defineKernel({
    op,
    supports: poolSupports,
    emit(node, attrs, ctx) {
      const xN = node.inputs[0]!, yN = node.outputs[0]!;
      const dt = ctx.type(xN).dtype;
      if (dt === "f32") usePool(ctx);
      const r = ctx.type(xN).shape.length - 2;
      const k = attrs.kernel_shape as readonly number[];
      const fill = (v: readonly number[] | undefined, def: number, n = r) => (v && v.length > 0 ? v : new Array<number>(n).fill(def));
      const s = fill(attrs.strides as number[] | undefined, 1), d = fill(attrs.dilations as number[] | undefined, 1);
      const p = attrs.auto_pad === "VALID" ? new Array<number>(2 * r).fill(0) : fill(attrs.pads as number[] | undefined, 0, 2 * r);
      // 1-D runs as H = 1 with a 1-tap kernel.
      const two = (v: readonly number[], one: number) => (r === 1 ? [one, v[0]!] : [v[0]!, v[1]!]);
      const [kh, kw] = two(k, 1), [sh, sw] = two(s, 1), [dh, dw] = two(d, 1);
      const [ph, pw] = two(p.slice(0, r), 0), [peh, pew] = two(p.slice(r), 0);
      const xs = ctx.shape(xN), ys = ctx.shape(yN);
      const H = r === 1 ? "1" : xs[2]!, W = xs[r + 1]!, OH = r === 1 ? "1" : ys[2]!, OW = ys[r + 1]!;
      const isMax = op === "MaxPool" ? 1 : 0;
      const incl = ((attrs.count_include_pad as number | undefined) ?? 0) !== 0 ? 1 : 0;
      const call = dt === "f32"
        ? `neonc_pool2d_f32(${xs[0]} * ${xs[1]}, ${H}, ${W}, ${OH}, ${OW}, g, ${isMax}, ${incl}, ${ctx.ptr(xN)}, ${ctx.ptr(yN)});`
        : `${useIntMaxPool(ctx, dt)}(${xs[0]} * ${xs[1]}, ${H}, ${W}, ${OH}, ${OW}, g, ${ctx.ptr(xN)}, ${ctx.ptr(yN)});`;
      return [`static const int g[10] = {${[kh, kw, sh, sw, dh, dw, ph, pw, peh, pew].join(", ")}};`, call].join("\n");
    },
  });
}

export const poolKernels: KernelDef[] = [poolKernel("AveragePool"), poolKernel("MaxPool")];
