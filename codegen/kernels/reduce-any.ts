// Every Reduce* op over any set of axes and for every dtype the interpreter takes (f32, f64 and
// the integers), as ir/kernels/reduce.ts computes it: each output folds its elements in memory
// order into a double, then mean divides by the count, L2 takes the square root, LogSum the log,
// LogSumExp first finds the maximum (NaN wins; an infinite one shifts by 0) and sums exp(x - max);
// the double is stored back by the interpreter's rules (f32 rounds, integers truncate and wrap).
// The same additions in the same order make the f32/f64 sums, products and norms equal the
// interpreter's bit for bit; only exp and log may differ from JavaScript's in the last place.
//
// The emitted loops are nested per node: kept and reduced dims are coalesced (size-1 dims
// dropped, neighbours of the same kind merged) as the interpreter does, the kept dims walk the
// outputs in order and the reduced dims walk one output's elements with constant strides. These
// ops are rare in speech models (ReduceSum/Mean/Max/Min over one contiguous run of axes have the
// faster float kernels of ./reduce.ts and ./reduce-mean.ts, which hand every other case here).
import type { Dim } from "../../ir/dim.js";
import type { DType } from "../../ir/dtype.js";
import type { Attrs, Node } from "../../ir/graph.js";
import { normAxis } from "../../ir/shape-util.js";
import { cProduct, ctype } from "../c-util.js";
import { defineKernel, type KernelContext, type KernelDef } from "../kernel.js";
import { fromDouble, toDouble } from "./c-types.js";

export type ReduceOp =
  | "ReduceSum" | "ReduceMean" | "ReduceMax" | "ReduceMin" | "ReduceProd" | "ReduceL1" | "ReduceL2"
  | "ReduceLogSum" | "ReduceLogSumExp" | "ReduceSumSquare";

/** The dtypes of ir/ops/nn/reduce.ts. */
const REDUCE_DTYPES: readonly DType[] = ["f32", "f64", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"];

interface Fold {
  readonly init: string;
  /** The statement folding double v into double a. */
  readonly step: string;
  /** The result from a (and the element count `count`, a double). */
  readonly final?: string;
}

const MAX_STEP = "if (v > a || v != v) a = v;";
const FOLDS: Readonly<Record<Exclude<ReduceOp, "ReduceLogSumExp">, Fold>> = {
  ReduceSum: { init: "0.0", step: "a += v;" },
  ReduceMean: { init: "0.0", step: "a += v;", final: "a / count" },
  ReduceMax: { init: "-INFINITY", step: MAX_STEP },
  ReduceMin: { init: "INFINITY", step: "if (v < a || v != v) a = v;" },
  ReduceProd: { init: "1.0", step: "a *= v;" },
  ReduceL1: { init: "0.0", step: "a += fabs(v);" },
  ReduceL2: { init: "0.0", step: "a += v * v;", final: "sqrt(a)" },
  ReduceLogSum: { init: "0.0", step: "a += v;", final: "log(a)" },
  ReduceSumSquare: { init: "0.0", step: "a += v * v;" },
};

interface Group { readonly size: string; readonly stride: string; readonly reduced: boolean }

/**
 * The dims of `shape` coalesced as ir/kernels/reduce.ts does: known size-1 dims dropped,
 * neighbours both reduced or both kept merged; each with its C size and stride in elements.
 */
function coalesce(shape: readonly Dim[], reduced: readonly boolean[]): Group[] {
  const runs: { first: number; last: number; reduced: boolean }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const prev = runs[runs.length - 1];
    if (prev && prev.reduced === reduced[i]) prev.last = i;
    else runs.push({ first: i, last: i, reduced: reduced[i]! });
  });
  return runs.map((r) => ({
    size: cProduct(shape.slice(r.first, r.last + 1)),
    stride: cProduct(shape.slice(r.last + 1)),
    reduced: r.reduced,
  }));
}

/** Which axes are reduced (every one for empty axes), or undefined for the no-op form. */
export function reducedFlags(attrs: Attrs, rank: number): boolean[] | undefined {
  const axes = (attrs.axes as readonly number[] | undefined) ?? [];
  if (axes.length === 0) return ((attrs.noop_with_empty_axes as number | undefined) ?? 0) !== 0 ? undefined : new Array<boolean>(rank).fill(true);
  const flags = new Array<boolean>(rank).fill(false);
  for (const a of axes) flags[normAxis(a, rank)] = true;
  return flags;
}

/** Why the general kernel cannot reduce this node, or undefined. */
export function reduceAnySupports(node: Node, dtype: DType | undefined): string | undefined {
  if (!dtype || !REDUCE_DTYPES.includes(dtype)) return `${node.op} of ${dtype ?? "an untyped value"} is not generated`;
  return undefined;
}

/** C statements reducing node's input into its output over the axes of `attrs` (any set of them). */
export function emitReduceAny(op: ReduceOp, node: Node, attrs: Attrs, ctx: KernelContext): string {
  const xN = node.inputs[0]!, yN = node.outputs[0]!;
  const x = ctx.type(xN);
  const t = ctype(x.dtype);
  const flags = reducedFlags(attrs, x.shape.length);
  if (!flags) return `memcpy(${ctx.ptr(yN)}, ${ctx.ptr(xN)}, (size_t)${ctx.numel(xN)} * sizeof(${t}));`;
  const groups = coalesce(x.shape, flags);
  const kept = groups.filter((g) => !g.reduced), red = groups.filter((g) => g.reduced);
  const kv = kept.map((_, i) => `k${i}`), rv = red.map((_, i) => `r${i}`);
  const offset = (vars: string[], gs: Group[]) => (gs.length === 0 ? "0" : gs.map((g, i) => `${vars[i]} * (size_t)(${g.stride})`).join(" + "));
  const loops = (vars: string[], gs: Group[], pad: string) =>
    gs.map((g, i) => `${pad}${"  ".repeat(i)}for (${vars[i]} = 0; ${vars[i]} < (size_t)(${g.size}); ${vars[i]}++)`);
  const pad = "  ".repeat(kept.length + 1);
  const inner = pad + "  ".repeat(red.length);
  // One pass over this output's elements running `step` on double v.
  const pass = (step: string) => [
    ...loops(rv, red, pad),
    `${inner}{ const double v = ${toDouble(ctx, x.dtype, `xb[${offset(rv, red)}]`)}; ${step} }`,
  ];
  let body: string[];
  let result = "a";
  if (op === "ReduceLogSumExp") {
    body = [
      `${pad}double m = -INFINITY, a = 0.0;`,
      ...pass(MAX_STEP.replace(/\ba\b/g, "m")),
      `${pad}if (!(m - m == 0.0)) m = 0.0;`,
      ...pass("a += exp(v - m);"),
    ];
    result = "log(a) + m";
  } else {
    const f = FOLDS[op];
    body = [`${pad}double a = ${f.init};`, ...pass(f.step)];
    result = f.final ?? "a";
  }
  const count = red.length === 0 ? "1" : red.map((g) => `(size_t)(${g.size})`).join(" * ");
  const vars = [...kv, ...rv];
  return [
    `const ${t} *px = ${ctx.ptr(xN)};`,
    `${t} *py = ${ctx.ptr(yN)};`,
    ...(op === "ReduceMean" ? [`const double count = (double)(${count});`] : []),
    `size_t yi = 0${vars.map((v) => `, ${v}`).join("")};`,
    ...loops(kv, kept, ""),
    `${"  ".repeat(kept.length)}{`,
    `${pad}const ${t} *xb = px + ${offset(kv, kept)};`,
    ...body,
    `${pad}py[yi++] = ${fromDouble(ctx, x.dtype, result)};`,
    `${"  ".repeat(kept.length)}}`,
  ].join("\n");
}

function reduceAnyKernel(op: ReduceOp): KernelDef {
  return defineKernel({
    op,
    supports: (node, _attrs, g) => reduceAnySupports(node, g.types[node.inputs[0]!]?.dtype),
    emit: (node, attrs, ctx) => emitReduceAny(op, node, attrs, ctx),
  });
}

/** The reductions with no faster kernel: every form goes through the loops above. */
export const reduceAnyKernels: KernelDef[] =
  (["ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"] as const).map(reduceAnyKernel);
