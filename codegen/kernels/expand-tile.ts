// Expand and Tile of any dtype: data movement over a static or symbolic output shape. Expand is
// the broadcasting copy (broadcast-loop.ts, stride 0 on broadcast axes); Tile reads input index
// i_k mod d_k along every axis of its output.
import { ctype } from "../c-util.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { broadcastLoop } from "./broadcast-loop.js";
import { typedSupports } from "./typed-elementwise.js";

const expandKernel = defineKernel({
  op: "Expand",
  supports: typedSupports,
  emit(node, _a, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const t = ctype(ctx.type(y).dtype);
    return [`const ${t} *p0 = ${ctx.ptr(x)};`, `${t} *py = ${ctx.ptr(y)};`, broadcastLoop(ctx, y, [x], (o, i) => `py[${o}] = p0[${i[0]}];`)].join("\n");
  },
});

const tileKernel = defineKernel({
  op: "Tile",
  supports: typedSupports,
  emit(node, _a, ctx) {
    const x = node.inputs[0]!, y = node.outputs[0]!;
    const t = ctype(ctx.type(y).dtype);
    const xs = ctx.shape(x), ys = ctx.shape(y);
    const R = ys.length;
    if (R === 0) return `${ctx.ptr(y)}[0] = ${ctx.ptr(x)}[0];`;
    const lines = [`const ${t} *px = ${ctx.ptr(x)};`, `${t} *py = ${ctx.ptr(y)};`, `size_t o = 0, ${ys.map((_, k) => `i${k}`).join(", ")};`];
    let pad = "";
    for (let k = 0; k < R; k++) {
      lines.push(`${pad}for (i${k} = 0; i${k} < (size_t)${ys[k]}; i${k}++)`);
      pad += "  ";
    }
    // Row-major input offset of (i_0 mod d_0, ..., i_{R-1} mod d_{R-1}).
    let off = "";
    for (let k = 0; k < R; k++) off = k === 0 ? `(i0 % (size_t)${xs[0]})` : `(${off}) * (size_t)${xs[k]} + i${k} % (size_t)${xs[k]}`;
    lines.push(`${pad}py[o++] = px[${off}];`);
    return lines.join("\n");
  },
});

export const expandTileKernels: KernelDef[] = [expandKernel, tileKernel];
