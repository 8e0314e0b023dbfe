// QuantizeLinear and DequantizeLinear in C, with scales and zero points read at run time: per
// tensor, per axis or blocked (x viewed as [outer, n, inner] around the axis, parameter index
// ob*so + floor(a/bs)*sa + i*si, as ir/kernels/onnx-quant-params.ts), integer outputs/inputs of
// 8, 16 and 32 bits and the four float8 formats. The arithmetic is the interpreter's step by step
// (ir/kernels/onnx-quant-linear.ts): x / scale in double, rounded to float (kept double for int32
// x), then half-even rounding, zero point and saturation (integers) or the float8 encoder;
// dequantization (float(x) - float(zp)) * scale in float. The graphs that import-qdq lowers never
// reach these (they become Quantize/Dequantize and the integer ops); these serve a graph that keeps
// the ONNX ops: a float8 tensor, run-time or per-axis parameters. Scalar C: quantization at a
// graph's boundary is a small share of a speech model's time.
import { intRange } from "../../ir/dtype.js";
import { float8Values, isFloat8 } from "../../ir/float-formats.js";
import type { Attrs, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { cProd, f32Scales, paramRead, useFloat8Encoder } from "./onnx-quant-c.js";
import { useQuantizeHelper } from "./qint-boundary.js";

const INT_TYPES = ["u8", "i8", "u16", "i16", "i32"];

/** The loop nest over x's elements with p, the parameter index, and e, the element index. */
function layoutLoops(node: Node, attrs: Attrs, ctx: KernelContext, body: string[]): string[] {
  const x = node.inputs[0]!, scale = node.inputs[1]!;
  const dims = ctx.shape(x);
  const rank = dims.length;
  const sShape = ctx.type(scale).shape;
  const perTensor = rank === 0 || sShape.length === 0 || (sShape.length === 1 && sShape[0] === 1);
  const bs = attrs.block_size as number;
  let outer = "1", n = cProd(dims), inner = "1", pb = "0", si = "0";
  if (!perTensor) {
    const ax = ((attrs.axis as number) % rank + rank) % rank;
    outer = cProd(dims.slice(0, ax));
    n = dims[ax]!;
    inner = cProd(dims.slice(ax + 1));
    if (bs > 0) {
      pb = `ob * (((n + ${bs - 1}) / ${bs}) * inner) + (a / ${bs}) * inner`;
      si = "1";
    } else pb = "a";
  }
  return [
    `const int outer = ${outer}, n = ${n}, inner = ${inner};`,
    `int ob, a, i;`,
    `for (ob = 0; ob < outer; ob++) {`,
    `  for (a = 0; a < n; a++) {`,
    `    const int pb = ${pb}, base = (ob * n + a) * inner;`,
    `    for (i = 0; i < inner; i++) {`,
    `      const int p = pb + i * ${si}, e = base + i;`,
    `      (void)p;`,
    ...body.map((l) => `      ${l}`),
    `    }`,
    `  }`,
    `}`,
  ];
}

export const quantizeLinearKernel = defineKernel({
  op: "QuantizeLinear",
  supports(node, _a, g) {
    const xt = g.types[node.inputs[0]!]!.dtype;
    if (xt !== "f32" && xt !== "i32") return `x is ${xt}; the C kernel quantizes float32 and int32`;
    return f32Scales(node, g, [1]);
  },
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const xt = ctx.type(x).dtype, yt = ctx.type(y).dtype;
    const s = paramRead(node, 1, "sc", ctx), z = paramRead(node, 2, "zp", ctx);
    const quotient = `(double)x[e] / (double)${s.at("p")}`;
    let store: string[];
    if (isFloat8(yt)) {
      const enc = useFloat8Encoder(ctx, yt, (attrs.saturate as number) !== 0);
      store = [`y[e] = ${enc}((float)(${quotient}));`];
    } else {
      useQuantizeHelper(ctx);
      const [lo, hi] = intRange(yt);
      // The quotient takes the scale's precision (float), except for int32 x (numpy: a double).
      const q = xt === "i32" ? quotient : `(double)(float)(${quotient})`;
      store = [`y[e] = (${ctype(yt)})neonc_quantize_f64(${q}, ${z.at("p")}, ${lo}, ${hi});`];
    }
    return [
      `const ${ctype(xt)} *x = ${ctx.ptr(x)};`,
      `${ctype(yt)} *y = ${ctx.ptr(y)};`,
      s.decl,
      isFloat8(yt) ? "" : z.decl,
      ...layoutLoops(node, attrs, ctx, store),
    ].filter((l) => l !== "").join("\n");
  },
});

export const dequantizeLinearKernel = defineKernel({
  op: "DequantizeLinear",
  supports(node, _a, g) {
    const xt = g.types[node.inputs[0]!]!.dtype;
    if (!INT_TYPES.includes(xt) && !isFloat8(xt)) return `x is ${xt}; the C kernel dequantizes integers and float8`;
    return f32Scales(node, g, [1]);
  },
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const xt = ctx.type(x).dtype;
    const s = paramRead(node, 1, "sc", ctx), z = paramRead(node, 2, "zp", ctx);
    let decls: string[], d: string;
    if (isFloat8(xt)) {
      // A float8 value is its table entry; its zero point must be zero (the interpreter ignores it).
      decls = [`const float *f8 = ${ctx.addWeights(`${xt}_values`, float8Values(xt))};`];
      d = "f8[x[e]]";
    } else {
      decls = z.decl ? [z.decl] : [];
      d = node.inputs[2] ? `(float)x[e] - (float)${z.at("p")}` : "(float)x[e]";
    }
    return [
      `const ${ctype(xt)} *x = ${ctx.ptr(x)};`,
      `float *y = ${ctx.ptr(y)};`,
      s.decl,
      ...decls,
      ...layoutLoops(node, attrs, ctx, [`const float d = ${d};`, `y[e] = d * ${s.at("p")};`]),
    ].join("\n");
  },
});
