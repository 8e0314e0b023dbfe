// C kernels of onnxruntime's com.microsoft QOperator ops that work element by element or along
// one axis: QLinearAdd, QLinearMul, QLinearLeakyRelu, QLinearSigmoid, QLinearConcat, and the
// com.microsoft QuantizeLinear / DequantizeLinear names. Each computes what the interpreter's
// reference (ir/ops/onnx-quant/contrib-*.ts) computes, operation for operation in double from
// the f32 scales, then rounds half to even, adds the zero point and saturates (neonc_quantize_f64),
// so the C is bit-exact with it: integer differences and the products of an f32 scale with an
// 8-bit difference are exact in double, every other step is one correctly rounded double
// operation in the reference's order. Sigmoid's exp is tabulated at compile time (256 entries,
// by the reference itself), since C's exp need not round as the interpreter's does. The
// graphs import-qdq lowers never reach these (they become QAdd, QLookup, QConcat, ...); these
// keep a graph that holds the ops compilable (run-time parameters, the conformance backend).
import type { Graph, Node } from "../../ir/graph.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { QLinearSigmoid } from "../../ir/ops/onnx-quant/contrib-unary.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { broadcastLoop } from "./broadcast-loop.js";
import { cProd, paramRead, q8Unsupported, quantizeExpr } from "./onnx-quant-c.js";
import { cDouble, useQuantizeHelper } from "./qint-boundary.js";
import { dequantizeLinearKernel, quantizeLinearKernel } from "./onnx-quant-linear.js";

function binaryKernel(op: "QLinearAdd" | "QLinearMul"): KernelDef {
  return defineKernel({
    op,
    supports: (node, _a, g) => q8Unsupported(node, g, [0, 3], [1, 4, 6]),
    emit(node, _attrs, ctx) {
      useQuantizeHelper(ctx);
      const [A, , , B] = node.inputs as string[];
      const y = node.outputs[0]!;
      const dt = ctx.type(y).dtype;
      const sa = paramRead(node, 1, "sa", ctx), za = paramRead(node, 2, "za", ctx);
      const sb = paramRead(node, 4, "sb", ctx), zb = paramRead(node, 5, "zb", ctx);
      const sc = paramRead(node, 6, "sc", ctx), zc = paramRead(node, 7, "zc", ctx);
      // Add: sa (a - za) + sb (b - zb); Mul: (a - za)(b - zb) (sa sb), as the reference orders them.
      const v = op === "QLinearAdd"
        ? (ia: string, ib: string) => `(double)${sa.at("0")} * (double)((int32_t)a[${ia}] - za0) + (double)${sb.at("0")} * (double)((int32_t)b[${ib}] - zb0)`
        : (ia: string, ib: string) => `(double)(((int32_t)a[${ia}] - za0) * ((int32_t)b[${ib}] - zb0)) * sab`;
      return [
        `const ${ctype(ctx.type(A!).dtype)} *a = ${ctx.ptr(A!)};`,
        `const ${ctype(ctx.type(B!).dtype)} *b = ${ctx.ptr(B!)};`,
        `${ctype(dt)} *y = ${ctx.ptr(y)};`,
        sa.decl, za.decl, sb.decl, zb.decl, sc.decl, zc.decl,
        `const int32_t za0 = ${za.at("0")}, zb0 = ${zb.at("0")}, zc0 = ${zc.at("0")};`,
        `const double sc0 = (double)${sc.at("0")};`,
        op === "QLinearMul" ? `const double sab = (double)${sa.at("0")} * (double)${sb.at("0")};` : "",
        broadcastLoop(ctx, y, [A!, B!], (o, [ia, ib]) => `y[${o}] = ${quantizeExpr(`(${v(ia!, ib!)}) / sc0`, "zc0", dt)};`),
      ].filter((l) => l !== "").join("\n");
    },
  });
}

export const qLinearAddKernel = binaryKernel("QLinearAdd");
export const qLinearMulKernel = binaryKernel("QLinearMul");

export const qLinearLeakyReluKernel = defineKernel({
  op: "QLinearLeakyRelu",
  supports: (node, _a, g) => q8Unsupported(node, g, [0], [1, 3]),
  emit(node, attrs, ctx) {
    useQuantizeHelper(ctx);
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const dt = ctx.type(y).dtype;
    const sx = paramRead(node, 1, "sx", ctx), zx = paramRead(node, 2, "zx", ctx);
    const sy = paramRead(node, 3, "sy", ctx), zy = paramRead(node, 4, "zy", ctx);
    // alpha is an f32 attribute: the reference multiplies by fround(alpha).
    const alpha = cDouble(Math.fround(attrs.alpha as number));
    return [
      `const ${ctype(dt)} *x = ${ctx.ptr(x)};`,
      `${ctype(dt)} *y = ${ctx.ptr(y)};`,
      sx.decl, zx.decl, sy.decl, zy.decl,
      `const double sx0 = (double)${sx.at("0")}, sy0 = (double)${sy.at("0")};`,
      `const int32_t zx0 = ${zx.at("0")}, zy0 = ${zy.at("0")};`,
      `size_t i, n = (size_t)${ctx.numel(x)};`,
      `for (i = 0; i < n; i++) {`,
      `  const double v = sx0 * (double)((int32_t)x[i] - zx0);`,
      `  y[i] = ${quantizeExpr(`(v >= 0.0 ? v : ${alpha} * v) / sy0`, "zy0", dt)};`,
      `}`,
    ].join("\n");
  },
});

/** The node's parameter inputs (by index) as constants, or undefined when one is computed at run time. */
function constantParams(node: Node, ctx: { constant(v: string): Tensor | undefined }, indices: readonly number[]): (Tensor | undefined)[] | undefined {
  const out: (Tensor | undefined)[] = [];
  for (const k of indices) {
    const v = node.inputs[k];
    if (!v) { out.push(undefined); continue; }
    const t = ctx.constant(v);
    if (!t) return undefined;
    out.push(t);
  }
  return out;
}

export const qLinearSigmoidKernel = defineKernel({
  op: "QLinearSigmoid",
  supports(node, _a, g) {
    const bad = q8Unsupported(node, g, [0], [1, 3]);
    if (bad) return bad;
    const isConst = (v: string | undefined) => !v || g.constants[v] !== undefined;
    for (const k of [1, 2, 3, 4]) {
      if (!isConst(node.inputs[k])) return `its parameter ${node.inputs[k]} is computed at run time; the C kernel tabulates the sigmoid at compile time`;
    }
    return undefined;
  },
  emit(node, attrs, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const dt = ctx.type(x).dtype;
    const params = constantParams(node, ctx, [1, 2, 3, 4]);
    if (!params) throw new Error(`QLinearSigmoid ${y}: its scales and zero points must be constants`);
    // The reference itself evaluates every 8-bit value once: the table is its answer, bit for bit.
    const lo = dt === "i8" ? -128 : 0;
    const all = fromNumbers(dt, [256], Array.from({ length: 256 }, (_, i) => lo + i));
    const table = QLinearSigmoid.evaluate([all, ...params], attrs as never, {} as never)[0]!.data as Int8Array | Uint8Array;
    return [
      `const ${ctype(dt)} *x = ${ctx.ptr(x)};`,
      `${ctype(dt)} *y = ${ctx.ptr(y)};`,
      `const ${ctype(dt)} *tab = ${ctx.addWeights("qlinear_sigmoid", table)};`,
      `size_t i, n = (size_t)${ctx.numel(x)};`,
      `for (i = 0; i < n; i++) y[i] = tab[(int)x[i]${dt === "i8" ? " + 128" : ""}];`,
    ].join("\n");
  },
});

export const qLinearConcatKernel = defineKernel({
  op: "QLinearConcat",
  supports(node, _a, g) {
    const data = [], scales = [0];
    for (let k = 2; k < node.inputs.length; k += 3) { data.push(k); scales.push(k + 1); }
    return q8Unsupported(node, g, data, scales);
  },
  emit(node, attrs, ctx) {
    useQuantizeHelper(ctx);
    const y = node.outputs[0]!;
    const dt = ctx.type(y).dtype;
    const ydims = ctx.shape(y);
    const axis = (((attrs.axis as number) % ydims.length) + ydims.length) % ydims.length;
    const sy = paramRead(node, 0, "sy", ctx), zy = paramRead(node, 1, "zy", ctx);
    const lines = [
      `${ctype(dt)} *y = ${ctx.ptr(y)};`,
      sy.decl, zy.decl,
      `const double sy0 = (double)${sy.at("0")};`,
      `const int32_t zy0 = ${zy.at("0")};`,
      `const size_t outer = (size_t)(${cProd(ydims.slice(0, axis))}), rowOut = (size_t)(${cProd(ydims.slice(axis))});`,
      `size_t o, i, at = 0;`,
    ];
    for (let k = 2, j = 0; k < node.inputs.length; k += 3, j++) {
      const x = node.inputs[k]!;
      const sx = paramRead(node, k + 1, `sx${j}`, ctx), zx = paramRead(node, k + 2, `zx${j}`, ctx);
      lines.push(
        `{`,
        `  const ${ctype(ctx.type(x).dtype)} *x = ${ctx.ptr(x)};`,
        ...[sx.decl, zx.decl].filter((l) => l !== "").map((l) => `  ${l}`),
        `  const double s = (double)${sx.at("0")};`,
        `  const int32_t z = ${zx.at("0")};`,
        `  const size_t row = (size_t)(${cProd(ctx.shape(x).slice(axis))});`,
        `  for (o = 0; o < outer; o++)`,
        `    for (i = 0; i < row; i++) y[o * rowOut + at + i] = ${quantizeExpr("((double)((int32_t)x[o * row + i] - z) * s) / sy0", "zy0", dt)};`,
        `  at += row;`,
        `}`,
      );
    }
    return lines.filter((l) => l !== "").join("\n");
  },
});

// The com.microsoft names of QuantizeLinear / DequantizeLinear: the import writes them as the
// default-domain ops, so a graph holds them only when written by hand; the same kernels serve.
export const msQuantizeLinearKernel = defineKernel({ ...quantizeLinearKernel, op: "MsQuantizeLinear" });
export const msDequantizeLinearKernel = defineKernel({ ...dequantizeLinearKernel, op: "MsDequantizeLinear" });
