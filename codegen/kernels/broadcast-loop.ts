// The loop of a broadcasting element-wise kernel of any dtype and any number of operands: one
// flat loop when every operand has the output's shape or is a single value, otherwise nested
// loops over the output whose per-operand strides are 0 on broadcast axes (numpy rules). The
// caller gives the statement computing output element `o` from operand elements `idx[k]`.
import { dimEquals, type Dim } from "../../ir/dim.js";
import { cProduct } from "../c-util.js";
import type { KernelContext } from "../kernel.js";

/** Row-major strides of `shape` aligned to an output of rank `out.length`, "0" on broadcast axes. */
export function bcastStrides(shape: readonly Dim[], out: readonly Dim[]): string[] {
  const rank = out.length;
  const padded: Dim[] = [...new Array<Dim>(rank - shape.length).fill(1), ...shape];
  return padded.map((d, i) => (d === 1 && out[i] !== 1 ? "0" : cProduct(padded.slice(i + 1))));
}

/**
 * C statements running `body(o, idx)` for every output element: `o` is the output's flat index
 * and idx[k] operand k's (C expressions of type size_t).
 */
export function broadcastLoop(ctx: KernelContext, out: string, operands: readonly string[], body: (o: string, idx: readonly string[]) => string): string {
  const yt = ctx.type(out).shape;
  const same = (s: readonly Dim[]) => s.length === yt.length && s.every((d, i) => dimEquals(d, yt[i]!));
  const shapes = operands.map((v) => ctx.type(v).shape);
  if (shapes.every((s) => same(s) || s.every((d) => d === 1))) {
    const idx = shapes.map((s) => (same(s) ? "i" : "0"));
    return [`size_t i, n = (size_t)${ctx.numel(out)};`, `for (i = 0; i < n; i++) {`, `  ${body("i", idx)}`, `}`].join("\n");
  }
  const R = yt.length;
  const dims = ctx.shape(out);
  const strides = shapes.map((s) => bcastStrides(s, yt));
  const lines = [`size_t o = 0, ${dims.map((_, i) => `i${i}`).join(", ")};`];
  let pad = "";
  for (let i = 0; i < R; i++) {
    lines.push(`${pad}for (i${i} = 0; i${i} < (size_t)${dims[i]}; i${i}++)`);
    pad += "  ";
  }
  const idx = strides.map((st) => st.map((s, i) => (s === "0" ? "" : `i${i} * (size_t)${s}`)).filter(Boolean).join(" + ") || "0");
  lines.push(`${pad}{`, `${pad}  ${body("o", idx.map((e) => `(${e})`))}`, `${pad}  o++;`, `${pad}}`);
  return lines.join("\n");
}
