// The comparisons Equal, Greater, GreaterOrEqual, Less, LessOrEqual with broadcasting: numeric
// operands of one dtype in, bool (one byte, 0 or 1) out. They compute the conditions of If
// (a sample-rate input against a constant, a score against a threshold) and masks; they are
// scalar C on every target, as such conditions are a handful of elements.
import { dimEquals, type Dim } from "../../ir/dim.js";
import type { Graph, Node } from "../../ir/graph.js";
import { cFloat, cProduct, ctype } from "../c-util.js";
import { defineKernel, type KernelDef } from "../kernel.js";

const COMPARE: Readonly<Record<string, string>> = { Equal: "==", Greater: ">", GreaterOrEqual: ">=", Less: "<", LessOrEqual: "<=" };
const DTYPES = new Set(["f32", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "bool"]);

/** 64-bit constants have no weight array: a one-element one is written as a literal. */
const WIDE = new Set(["i64", "u64"]);

function supports(node: Node, _a: unknown, g: Graph): string | undefined {
  const dt = g.types[node.inputs[0]!]?.dtype;
  if (!dt || !DTYPES.has(dt)) return `comparing ${dt} values is not generated`;
  for (const v of node.inputs) {
    const c = g.constants[v];
    if (c && WIDE.has(c.dtype) && c.data.length !== 1) return `a ${c.dtype} constant of ${c.data.length} elements is not generated (only one element)`;
  }
  return undefined;
}

/** A C pointer to the operand, or for a one-element constant a one-element compound literal. */
function operand(v: string, ct: string, ctx: { ptr(v: string): string; constant(v: string): { dtype: string; data: ArrayLike<unknown> } | undefined }): string {
  const c = ctx.constant(v);
  if (!c || c.data.length !== 1) return ctx.ptr(v);
  const x = c.data[0];
  const lit = c.dtype === "f32" ? cFloat(Number(x)) : typeof x === "bigint" ? `${x}${c.dtype === "u64" ? "ULL" : "LL"}` : String(Number(x));
  return `((const ${ct}[1]){ (${ct})${lit} })`;
}

/** Row-major strides of `shape` aligned to an output of rank `rank`, 0 on broadcast axes. */
function bcastStrides(shape: readonly Dim[], out: readonly Dim[]): string[] {
  const padded: Dim[] = [...new Array<Dim>(out.length - shape.length).fill(1), ...shape];
  return padded.map((d, i) => (d === 1 && out[i] !== 1 ? "0" : cProduct(padded.slice(i + 1))));
}

function compareKernel(op: string, cop: string): KernelDef {
  return defineKernel({
    op,
    supports,
    emit(node, _attrs, ctx) {
      const [an, bn] = node.inputs as [string, string];
      const yn = node.outputs[0]!;
      const at = ctx.type(an), bt = ctx.type(bn), yt = ctx.type(yn);
      const ct = ctype(at.dtype);
      const lines = [`const ${ct} *pa = ${operand(an, ct, ctx)};`, `const ${ct} *pb = ${operand(bn, ct, ctx)};`, `uint8_t *py = ${ctx.ptr(yn)};`];
      const same = (s: readonly Dim[]) => s.length === yt.shape.length && s.every((d, i) => dimEquals(d, yt.shape[i]!));
      const scalar = (s: readonly Dim[]) => s.every((d) => d === 1);
      if ((same(at.shape) || scalar(at.shape)) && (same(bt.shape) || scalar(bt.shape))) {
        const ia = same(at.shape) ? "pa[i]" : "pa[0]", ib = same(bt.shape) ? "pb[i]" : "pb[0]";
        lines.push(`size_t i, n = (size_t)${ctx.numel(yn)};`, `for (i = 0; i < n; i++) py[i] = (uint8_t)(${ia} ${cop} ${ib});`);
        return lines.join("\n");
      }
      // General broadcast: one loop over the output, each operand's offset from the output index.
      const out = yt.shape, R = out.length, dims = ctx.shape(yn);
      const sa = bcastStrides(at.shape, out), sb = bcastStrides(bt.shape, out);
      lines.push(`size_t i, n = (size_t)${ctx.numel(yn)};`, `for (i = 0; i < n; i++) {`, `  size_t rest = i, oa = 0, ob = 0, k;`);
      for (let d = R - 1; d >= 0; d--) {
        lines.push(`  k = rest % (size_t)${dims[d]}; rest /= (size_t)${dims[d]};`, `  oa += k * ${sa[d]}; ob += k * ${sb[d]};`);
      }
      lines.push(`  py[i] = (uint8_t)(pa[oa] ${cop} pb[ob]);`, `}`);
      return lines.join("\n");
    },
  });
}

export const compareKernels: KernelDef[] = Object.entries(COMPARE).map(([op, cop]) => compareKernel(op, cop));
