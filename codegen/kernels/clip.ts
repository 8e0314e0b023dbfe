// Clip on every numeric dtype, with bounds that are attributes or computed at run time (scalar
// inputs). Float32 with constant bounds is the unary kernel made from Clip's C form (unary.ts);
// everything else compares in double as the interpreter does (a fractional attribute bound on
// an integer input rounds inward; NaN bounds are open) and stores by its rules, and 64-bit
// integers compare as integers. min > max gives max everywhere.
import type { Attrs, Graph, Node } from "../../ir/graph.js";
import { ctype } from "../c-util.js";
import { defineKernel, type KernelContext } from "../kernel.js";
import { fromDouble, kindOf, load, store } from "./c-types.js";
import { unaryKernelFor } from "./unary.js";

const floatConstantForm = (node: Node, g: Graph) =>
  g.types[node.inputs[0]!]!.dtype === "f32" && node.inputs.every((v, i) => i === 0 || !v || g.constants[v] !== undefined);

/** The 64-bit bounds of an attribute: [ceil(min), floor(max)] as C literals, undefined when open. */
function bigBound(v: number | undefined, up: boolean, dt: string): string | undefined {
  if (v === undefined || !Number.isFinite(v)) return undefined;
  const b = BigInt(up ? Math.ceil(v) : Math.floor(v));
  return dt === "u64" ? `UINT64_C(${b})` : b === -(1n << 63n) ? "INT64_MIN" : `INT64_C(${b})`;
}

function emitClip(node: Node, attrs: Attrs, ctx: KernelContext): string {
  const [x, minIn, maxIn] = node.inputs;
  const y = node.outputs[0]!;
  const dt = ctx.type(x!).dtype;
  const t = ctype(dt), k = kindOf(dt);
  const lines = [`const ${t} *px = ${ctx.ptr(x!)};`, `${t} *py = ${ctx.ptr(y)};`, `size_t i, n = (size_t)${ctx.numel(y)};`];
  const runtime = (v: string | undefined) => (v ? ctx.ptr(v) + "[0]" : undefined);
  if (k === "i64" || k === "u64") {
    const lo = runtime(minIn) ?? bigBound(attrs.min as number | undefined, true, dt);
    const hi = runtime(maxIn) ?? bigBound(attrs.max as number | undefined, false, dt);
    lines.push(`for (i = 0; i < n; i++) {`, `  ${t} v = px[i];`);
    if (lo) lines.push(`  if (v < ${lo}) v = ${lo};`);
    if (hi) lines.push(`  if (v > ${hi}) v = ${hi};`);
    lines.push(`  py[i] = v;`, `}`);
    return lines.join("\n");
  }
  const integer = k === "sint" || k === "uint" || k === "bool";
  const attrBound = (v: number | undefined, up: boolean, open: string) => {
    if (v === undefined) return open;
    if (Number.isNaN(v)) return "(0.0 / 0.0)";
    if (!Number.isFinite(v)) return v > 0 ? "HUGE_VAL" : "-HUGE_VAL";
    const r = integer ? (up ? Math.ceil(v) : Math.floor(v)) : v;
    return r.toPrecision(17).includes("e") || r.toPrecision(17).includes(".") ? r.toPrecision(17) : `${r}.0`;
  };
  const lo = minIn ? `(double)${load(ctx, dt, runtime(minIn)!)}` : attrBound(attrs.min as number | undefined, true, "-HUGE_VAL");
  const hi = maxIn ? `(double)${load(ctx, dt, runtime(maxIn)!)}` : attrBound(attrs.max as number | undefined, false, "HUGE_VAL");
  // Float results round to f32 first (the interpreter clips into a Float32Array), then to their format.
  const out = k === "f64" ? "v" : k === "f32" || k === "packed" ? store(ctx, dt, "(float)v") : fromDouble(ctx, dt, "v");
  lines.push(
    `const double lo = ${lo}, hi = ${hi};`,
    `for (i = 0; i < n; i++) {`,
    `  double v = (double)${load(ctx, dt, "px[i]")};`,
    `  if (v < lo) v = lo;`,
    `  if (v > hi) v = hi;`,
    `  py[i] = ${out};`,
    `}`,
  );
  return lines.join("\n");
}

export const clipKernel = defineKernel({
  op: "Clip",
  inPlace: 0,
  supports(node, attrs, g) {
    if (g.types[node.inputs[0]!]?.dtype === "string") return "string tensors have no C form";
    if (floatConstantForm(node, g)) return unaryKernelFor("Clip")!.supports?.(node, attrs, g);
    return undefined;
  },
  emit(node, attrs, ctx) {
    if (floatConstantForm(node, ctx.graph)) return unaryKernelFor("Clip")!.emit(node, attrs, ctx);
    return emitClip(node, attrs, ctx);
  },
});
