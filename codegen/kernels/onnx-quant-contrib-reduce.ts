// C kernels of the com.microsoft QOperator ops that sum: QLinearGlobalAveragePool, QLinearSoftmax
// and QGemm. As in onnx-quant-contrib.ts, each follows the interpreter's reference
// (ir/ops/onnx-quant/contrib-*.ts) operation for operation: integer sums are exact (int64), the
// scaling is the reference's double arithmetic in its order, then half-even rounding, the zero
// point and saturation (neonc_quantize_f64). QLinearSoftmax's exp(x_scale * (x - max)) takes one
// of 256 values (x - max is an integer in [-255, 0]), tabulated at compile time with the
// interpreter's exp, so it needs a constant x scale; the sum runs in the reference's order.
import type { Graph, Node } from "../../ir/graph.js";
import { toNumbers } from "../../ir/types.js";
import { ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";
import { bcastStrides } from "./broadcast-loop.js";
import { cProd, paramRead, q8Unsupported, quantizeExpr } from "./onnx-quant-c.js";
import { cDouble, useQuantizeHelper } from "./qint-boundary.js";

export const qLinearGlobalAveragePoolKernel = defineKernel({
  op: "QLinearGlobalAveragePool",
  supports: (node, _a, g) => q8Unsupported(node, g, [0], [1, 3]),
  emit(node, _attrs, ctx) {
    useQuantizeHelper(ctx);
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const dt = ctx.type(x).dtype;
    const d = ctx.shape(x);
    const sx = paramRead(node, 1, "sx", ctx), zx = paramRead(node, 2, "zx", ctx);
    const sy = paramRead(node, 3, "sy", ctx), zy = paramRead(node, 4, "zy", ctx);
    return [
      `const ${ctype(dt)} *x = ${ctx.ptr(x)};`,
      `${ctype(dt)} *y = ${ctx.ptr(y)};`,
      sx.decl, zx.decl, sy.decl, zy.decl,
      `const double sx0 = (double)${sx.at("0")}, sy0 = (double)${sy.at("0")};`,
      `const int32_t zx0 = ${zx.at("0")}, zy0 = ${zy.at("0")};`,
      `const size_t rows = (size_t)(${cProd(d.slice(0, 2))}), count = (size_t)(${cProd(d.slice(2))});`,
      `size_t r, i;`,
      `for (r = 0; r < rows; r++) {`,
      `  int64_t sum = 0;`,
      `  for (i = 0; i < count; i++) sum += (int32_t)x[r * count + i] - zx0;`,
      `  y[r] = ${quantizeExpr("(sx0 * ((double)sum / (double)count)) / sy0", "zy0", dt)};`,
      `}`,
    ].join("\n");
  },
});

export const qLinearSoftmaxKernel = defineKernel({
  op: "QLinearSoftmax",
  supports(node, _a, g) {
    const bad = q8Unsupported(node, g, [0], [1, 3]);
    if (bad) return bad;
    if (!g.constants[node.inputs[1]!]) return `its X_scale ${node.inputs[1]} is computed at run time; the C kernel tabulates exp(X_scale * d) at compile time`;
    return undefined;
  },
  emit(node, attrs, ctx) {
    useQuantizeHelper(ctx);
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const dt = ctx.type(x).dtype;
    const d = ctx.shape(x);
    const axis = (((attrs.axis as number) % d.length) + d.length) % d.length;
    const along = (attrs.opset as number) >= 13;
    const scale = toNumbers(ctx.constant(node.inputs[1]!)!)[0]!;
    // exp(scale * (x - max)) for x - max = 0, -1, ..., -255, with the interpreter's exp.
    const table = Float64Array.from({ length: 256 }, (_, k) => Math.exp(scale * -k));
    const sy = paramRead(node, 3, "sy", ctx), zy = paramRead(node, 4, "zy", ctx);
    return [
      `const ${ctype(dt)} *x = ${ctx.ptr(x)};`,
      `${ctype(dt)} *y = ${ctx.ptr(y)};`,
      `const double *ex = ${ctx.addWeights("qlinear_softmax_exp", table)};`,
      sy.decl, zy.decl,
      `const double sy0 = (double)${sy.at("0")};`,
      `const int32_t zy0 = ${zy.at("0")};`,
      `const size_t outer = (size_t)(${cProd(d.slice(0, axis))}), len = (size_t)(${along ? d[axis]! : cProd(d.slice(axis))}), inner = (size_t)(${along ? cProd(d.slice(axis + 1)) : "1"});`,
      `size_t o, i, k;`,
      `for (o = 0; o < outer; o++) {`,
      `  for (i = 0; i < inner; i++) {`,
      `    const size_t base = o * len * inner + i;`,
      `    int mx = -256;`,
      `    double sum = 0.0;`,
      `    for (k = 0; k < len; k++) if ((int)x[base + k * inner] > mx) mx = (int)x[base + k * inner];`,
      `    for (k = 0; k < len; k++) sum += ex[mx - (int)x[base + k * inner]];`,
      `    for (k = 0; k < len; k++) y[base + k * inner] = ${quantizeExpr("ex[mx - (int)x[base + k * inner]] / sum / sy0", "zy0", dt)};`,
      `  }`,
      `}`,
    ].join("\n");
  },
});

export const qGemmKernel = defineKernel({
  op: "QGemm",
  supports: (node, _a, g) => q8Unsupported(node, g, [0, 3], [1, 4, 7]),
  emit(node, attrs, ctx) {
    const [A, , , B, , , Cb] = node.inputs as (string | undefined)[];
    const y = node.outputs[0]!;
    const yt = ctx.type(y);
    const quantized = !!node.inputs[7];
    if (quantized) useQuantizeHelper(ctx);
    const tA = (attrs.transA as number) !== 0, tB = (attrs.transB as number) !== 0;
    const [M, N] = ctx.shape(y) as [string, string];
    const K = ctx.shape(A!)[tA ? 0 : 1]!;
    const sa = paramRead(node, 1, "sa", ctx), za = paramRead(node, 2, "za", ctx);
    const sb = paramRead(node, 4, "sb", ctx), zb = paramRead(node, 5, "zb", ctx);
    const sy = paramRead(node, 7, "sy", ctx), zy = paramRead(node, 8, "zy", ctx);
    // C broadcasts to [M, N]: its strides per row and column (0 where broadcast).
    const cStr = Cb ? bcastStrides(ctx.type(Cb).shape, yt.shape) : ["0", "0"];
    const alpha = cDouble(attrs.alpha as number);
    const real = `((${alpha} * (double)${sa.at("0")}) * (double)${sb.at("n")}) * (double)acc`;
    return [
      `const ${ctype(ctx.type(A!).dtype)} *A = ${ctx.ptr(A!)};`,
      `const ${ctype(ctx.type(B!).dtype)} *B = ${ctx.ptr(B!)};`,
      Cb ? `const int32_t *Cb = ${ctx.ptr(Cb)};` : "",
      `${ctype(yt.dtype)} *y = ${ctx.ptr(y)};`,
      sa.decl, za.decl, sb.decl, zb.decl, sy.decl, zy.decl,
      `const int M = ${M}, N = ${N}, K = ${K};`,
      `const int32_t za0 = ${za.at("0")};`,
      `int m, n, k;`,
      `for (m = 0; m < M; m++) {`,
      `  for (n = 0; n < N; n++) {`,
      `    const int32_t z = ${zb.at("n")};`,
      `    int64_t acc = 0;`,
      `    for (k = 0; k < K; k++) acc += (int64_t)(((int32_t)A[${tA ? "(size_t)k * M + m" : "(size_t)m * K + k"}] - za0) * ((int32_t)B[${tB ? "(size_t)n * K + k" : "(size_t)k * N + n"}] - z));`,
      Cb ? `    acc += Cb[(size_t)m * ${cStr[0]} + (size_t)n * ${cStr[1]}];` : "",
      quantized
        ? `    y[(size_t)m * N + n] = ${quantizeExpr(`${real} / (double)${sy.at("0")}`, zy.at("0"), yt.dtype)};`
        : `    y[(size_t)m * N + n] = (float)(${real});`,
      `  }`,
      `}`,
    ].filter((l) => l !== "").join("\n");
  },
});
