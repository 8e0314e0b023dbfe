// AveragePool and MaxPool over 1 to 3 spatial dims (a 1-D or 2-D pool is a 3-D one with unit dims
// in front, as in the interpreter's ir/kernels/pool.ts), with strides, dilations, explicit pads,
// ceil_mode and count_include_pad; MaxPool's optional Indices output (int64, the flat input index
// of each window's first maximum, spatial part in row-major or, storage_order=1, column-major
// order). The output lengths come from the value types (symbolic T included); the C helper finds,
// per output position, the range of kernel taps that land inside the input, so the window loops
// never test bounds. A window entirely in the padding gives -inf (max; index of element 0 of the
// plane) or 0/0 (average), as the interpreter does. For count_include_pad the divisor counts the
// taps inside input + explicit pads, never those of a ceil_mode window past the end pad (the ONNX
// reference's and onnxruntime's divisor; test/ops/nn/pool-reference.test.ts).
// MaxPool also runs on 8-bit integers (quantize keeps int8 data through it: the int8PassThrough
// trait): the same walk in the integer type, and 0 for a window entirely in the padding (what the
// interpreter's -inf becomes when stored as an integer).
// GlobalMaxPool is in ./reduce.ts (a ReduceMax over the spatial run).
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

// The geometry array g of every pool helper: g[0..2] kernel (d, h, w), g[3..5] strides,
// g[6..8] dilations, g[9..11] begin pads, g[12..14] end pads. n[0..5] = D, H, W, OD, OH, OW.

function useAvgPool(ctx: KernelContext): string {
  useTaps(ctx);
  ctx.helper("avgpool3d_f32", `
/* y[nc][od][oh][ow] = window averages of x[nc][D][H][W]. */
static void neonc_avgpool3d_f32(int NC, const int *n, const int *g, int include_pad, const float *x, float *y) {
  const int D = n[0], H = n[1], W = n[2], OD = n[3], OH = n[4], OW = n[5];
  int c, od, oh, ow, kd, kh, kw;
  for (c = 0; c < NC; c++) {
    const float *xc = x + (size_t)c * D * H * W;
    float *yc = y + (size_t)c * OD * OH * OW;
    for (od = 0; od < OD; od++) {
      int d0 = od * g[3] - g[9], dlo, dhi, pdlo, pdhi;
      neonc_taps(d0, g[0], g[6], D, &dlo, &dhi);
      neonc_taps(od * g[3], g[0], g[6], D + g[9] + g[12], &pdlo, &pdhi);
      for (oh = 0; oh < OH; oh++) {
        int h0 = oh * g[4] - g[10], hlo, hhi, phlo, phhi;
        neonc_taps(h0, g[1], g[7], H, &hlo, &hhi);
        neonc_taps(oh * g[4], g[1], g[7], H + g[10] + g[13], &phlo, &phhi);
        for (ow = 0; ow < OW; ow++) {
          int w0 = ow * g[5] - g[11], wlo, whi, pwlo, pwhi, count;
          float s = 0.0f;
          neonc_taps(w0, g[2], g[8], W, &wlo, &whi);
          for (kd = dlo; kd < dhi; kd++)
            for (kh = hlo; kh < hhi; kh++) {
              const float *row = xc + ((size_t)(d0 + kd * g[6]) * H + (h0 + kh * g[7])) * W + w0;
              for (kw = wlo; kw < whi; kw++) s += row[kw * g[8]];
            }
          if (include_pad) {
            neonc_taps(ow * g[5], g[2], g[8], W + g[11] + g[14], &pwlo, &pwhi);
            count = (pdhi - pdlo) * (phhi - phlo) * (pwhi - pwlo);
          } else {
            count = (dhi - dlo) * (hhi - hlo) * (whi - wlo);
          }
          yc[((size_t)od * OH + oh) * OW + ow] = s / (float)count;
        }
      }
    }
  }
}`);
  return "neonc_avgpool3d_f32";
}

/**
 * The MaxPool helper of element type dt: the first maximum of each window (the first tap is taken
 * whatever it is, so a leading NaN stays, as in the interpreter) and, when idx is not null, its
 * flat index nc * D*H*W + id*st[0] + ih*st[1] + iw*st[2].
 */
function useMaxPool(ctx: KernelContext, dt: DType): string {
  useTaps(ctx);
  const t = ctype(dt), name = `neonc_maxpool3d_${dt}`;
  const isFloat = dt === "f32";
  const acc = isFloat ? "float" : "int";
  ctx.helper(name, `
/* MaxPool of ${t} data; a window entirely in the padding gives ${isFloat ? "-inf" : "0"}. */
static void ${name}(int NC, const int *n, const int *g, const long long *st, const ${t} *x, ${t} *y, int64_t *idx) {
  const int D = n[0], H = n[1], W = n[2], OD = n[3], OH = n[4], OW = n[5];
  int c, od, oh, ow, kd, kh, kw;
  size_t yo = 0;
  for (c = 0; c < NC; c++) {
    const ${t} *xc = x + (size_t)c * D * H * W;
    for (od = 0; od < OD; od++) {
      int d0 = od * g[3] - g[9], dlo, dhi;
      neonc_taps(d0, g[0], g[6], D, &dlo, &dhi);
      for (oh = 0; oh < OH; oh++) {
        int h0 = oh * g[4] - g[10], hlo, hhi;
        neonc_taps(h0, g[1], g[7], H, &hlo, &hhi);
        for (ow = 0; ow < OW; ow++, yo++) {
          int w0 = ow * g[5] - g[11], wlo, whi, any = 0;
          long long arg = 0;
          ${acc} m = ${isFloat ? "-HUGE_VALF" : "0"};
          neonc_taps(w0, g[2], g[8], W, &wlo, &whi);
          for (kd = dlo; kd < dhi; kd++) {
            const int id = d0 + kd * g[6];
            for (kh = hlo; kh < hhi; kh++) {
              const int ih = h0 + kh * g[7];
              const ${t} *row = xc + ((size_t)id * H + ih) * W;
              for (kw = wlo; kw < whi; kw++) {
                const int iw = w0 + kw * g[8];
                const ${acc} v = row[iw];
                if (!any || v > m) { m = v; arg = id * st[0] + ih * st[1] + iw * st[2]; any = 1; }
              }
            }
          }
          y[yo] = (${t})m;
          if (idx) idx[yo] = (int64_t)((long long)c * D * H * W + arg);
        }
      }
    }
  }
}`);
  return name;
}

const INT_MAX_POOL: readonly DType[] = ["i8", "u8"];

function poolSupports(node: Node, attrs: Attrs, g: Graph): string | undefined {
  const x = g.types[node.inputs[0]!];
  if (x?.dtype !== "f32" && !(node.op === "MaxPool" && x && INT_MAX_POOL.includes(x.dtype))) {
    return node.op === "MaxPool" ? "only float32, int8 and uint8 max pooling is generated" : "only float32 pooling is generated";
  }
  if (x.shape.length < 3 || x.shape.length > 5) return "only 1-D, 2-D and 3-D pooling is generated";
  const ap = (attrs.auto_pad as string | undefined) ?? "NOTSET";
  if (ap !== "NOTSET" && ap !== "VALID") return `auto_pad ${ap} with symbolic input dims is not supported; export explicit pads`;
  return undefined;
}

function poolKernel(op: "AveragePool" | "MaxPool"): KernelDef {
  return defineKernel({
    op,
    supports: poolSupports,
    emit(node, attrs, ctx) {
      const xN = node.inputs[0]!, yN = node.outputs[0]!, iN = node.outputs[1];
      const dt = ctx.type(xN).dtype;
      const r = ctx.type(xN).shape.length - 2;
      const fill = (v: readonly number[] | undefined, def: number, n = r) => (v && v.length > 0 ? v : new Array<number>(n).fill(def));
      const k = attrs.kernel_shape as readonly number[];
      const s = fill(attrs.strides as number[] | undefined, 1), d = fill(attrs.dilations as number[] | undefined, 1);
      const p = attrs.auto_pad === "VALID" ? new Array<number>(2 * r).fill(0) : fill(attrs.pads as number[] | undefined, 0, 2 * r);
      // Unit dims in front make every rank a 3-D pool.
      const three = <T>(v: readonly T[], one: T): T[] => [...new Array<T>(3 - r).fill(one), ...v];
      const geo = [...three(k, 1), ...three(s, 1), ...three(d, 1), ...three(p.slice(0, r), 0), ...three(p.slice(r), 0)];
      const xs = ctx.shape(xN), ys = ctx.shape(yN);
      const dims = [...three(xs.slice(2), "1"), ...three(ys.slice(2), "1")];
      const lines = [`static const int g[15] = {${geo.join(", ")}};`, `const int n[6] = {${dims.join(", ")}};`];
      const nc = `${xs[0]} * ${xs[1]}`;
      if (op === "AveragePool") {
        const incl = ((attrs.count_include_pad as number | undefined) ?? 0) !== 0 ? 1 : 0;
        lines.push(`${useAvgPool(ctx)}(${nc}, n, g, ${incl}, ${ctx.ptr(xN)}, ${ctx.ptr(yN)});`);
      } else {
        // Index strides of (d, h, w): row-major, or column-major over the real spatial dims.
        const real = xs.slice(2);
        let st: string[];
        if (((attrs.storage_order as number | undefined) ?? 0) === 1) {
          const col = real.map((_, i) => (i === 0 ? "1" : real.slice(0, i).map((v) => `(long long)${v}`).join(" * ")));
          st = three(col, "0");
        } else {
          st = ["(long long)n[1] * n[2]", "(long long)n[2]", "1"];
        }
        lines.push(`const long long st[3] = {${st.join(", ")}};`);
        lines.push(`${useMaxPool(ctx, dt)}(${nc}, n, g, st, ${ctx.ptr(xN)}, ${ctx.ptr(yN)}, ${iN ? ctx.ptr(iN) : "(int64_t *)0"});`);
      }
      return `{\n${lines.join("\n")}\n}`;
    },
  });
}

export const poolKernels: KernelDef[] = [poolKernel("AveragePool"), poolKernel("MaxPool")];
