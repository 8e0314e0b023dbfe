// Helpers for the ops' `toOnnx` hooks: the reverse of the import conventions of the op families.
//
// What the IR keeps as attributes but ONNX opset 21 takes as inputs (axes, shapes, pads, split
// sizes...) becomes int64 initializers. A `dims` vector with symbolic entries (Reshape [T,-1],
// Slice end T-1) becomes a small Shape/Mul/Add/Div/Concat subgraph over a value that carries each
// symbol; the importer folds that subgraph back into the very same dims, so a round trip gives
// the same IR.
import { dimEquals, dimToString, isSymbolic, sym, type Dim, type SymDim } from "../dim.js";
import type { AttrValue } from "../graph.js";
import type { OnnxExportContext, OnnxExportNode, OnnxNodeOut } from "../op.js";
import { getOp } from "../registry.js";
import { makeTensor, type Tensor } from "../types.js";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * A 1-D int64 tensor (ONNX's type for shapes, axes, pads, starts/ends...). Values beyond the
 * int64 range (an IR end of 2^63 meaning "to the end") are clamped instead of wrapping around.
 */
export function int64(values: readonly number[]): Tensor {
  const data = new BigInt64Array(values.length);
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`${v} is not an integer for an int64 input`);
    const b = BigInt(Math.trunc(v));
    data[i] = b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b;
  });
  return makeTensor("i64", [values.length], data);
}

/** Name of a new int64 initializer holding `values`. */
export function int64Input(ctx: OnnxExportContext, values: readonly number[], hint: string): string {
  return ctx.constant(int64(values), hint);
}

/**
 * The node's IR attributes as ONNX attributes, without `omit` (the ones a hook turns into inputs
 * or translates). Only attributes written in the IR are kept, so defaults stay implicit and a
 * re-import gives the same attribute set; floats are typed by the op's schema.
 */
export function passAttrs(op: string, node: OnnxExportNode, omit: readonly string[] = []): { attrs: Record<string, AttrValue>; floatAttrs: string[] } {
  const schema = getOp(op).attrs;
  const attrs: Record<string, AttrValue> = {};
  const floatAttrs: string[] = [];
  for (const [k, v] of Object.entries(node.attrs ?? {})) {
    if (v === undefined || omit.includes(k)) continue;
    const kind = schema[k]?.kind;
    if (kind === "float" || kind === "floats") floatAttrs.push(k);
    attrs[k] = v;
  }
  return { attrs, floatAttrs };
}

/** True when the IR node writes attribute k (as opposed to relying on its default). */
export function hasAttr(node: OnnxExportNode, k: string): boolean {
  return node.attrs?.[k] !== undefined;
}

/**
 * An int64 vector value holding `dims`: an initializer when they are all numbers, else a subgraph
 * appended to `out`. `near` lists values (usually the node's inputs) whose dims are tried first
 * as sources, before the graph inputs.
 */
export function dimsInput(
  ctx: OnnxExportContext, dims: readonly Dim[], hint: string, out: OnnxNodeOut[], near: readonly string[] = [],
): string {
  if (!dims.some(isSymbolic)) return int64Input(ctx, dims as number[], hint);
  const parts: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length > 0) parts.push(int64Input(ctx, run, `${hint}.part`));
    run = [];
  };
  for (const d of dims) {
    if (typeof d === "number") run.push(d);
    else {
      flush();
      parts.push(dimValue(ctx, d, hint, out, near));
    }
  }
  flush();
  if (parts.length === 1) return parts[0]!;
  return emit(out, ctx, "Concat", parts, hint, { axis: 0 });
}

function emit(out: OnnxNodeOut[], ctx: OnnxExportContext, opType: string, inputs: readonly string[], hint: string, attrs: Record<string, AttrValue> = {}): string {
  const y = ctx.fresh(`${hint}.${opType.toLowerCase()}`);
  out.push({ opType, name: y, inputs, outputs: [y], attrs });
  return y;
}

/** A [1] int64 value equal to the dim d at run time. */
function dimValue(ctx: OnnxExportContext, d: Dim, hint: string, out: OnnxNodeOut[], near: readonly string[]): string {
  if (typeof d === "number") return int64Input(ctx, [d], `${hint}.c`);
  // A value whose shape holds d as it is: one Shape node.
  for (const v of near) {
    if (!v) continue;
    const k = ctx.type(v).shape.findIndex((e) => dimEquals(e, d));
    if (k >= 0) return emit(out, ctx, "Shape", [v], hint, { start: k, end: k + 1 });
  }
  if (d.c === 0 && d.terms.length === 1 && d.terms[0]!.coef === 1 && d.terms[0]!.atom.kind === "sym") {
    const name = d.terms[0]!.atom.name;
    const src = ctx.symbolSource?.(name);
    if (!src) throw new Error(`no graph input has the dim ${name}, so the symbolic dim cannot be computed in ONNX`);
    return emit(out, ctx, "Shape", [src.value], hint, { start: src.axis, end: src.axis + 1 });
  }
  return linearValue(ctx, d, hint, out, near);
}

/** c + sum(coef * atom), with floor(num/den) as an integer Div (exact: dims are never negative). */
function linearValue(ctx: OnnxExportContext, d: SymDim, hint: string, out: OnnxNodeOut[], near: readonly string[]): string {
  let acc: string | undefined;
  for (const t of d.terms) {
    let v = t.atom.kind === "sym"
      ? dimValue(ctx, { c: 0, terms: [{ coef: 1, atom: t.atom }] }, hint, out, near) // an extent keeps its bound
      : emit(out, ctx, "Div", [dimValue(ctx, t.atom.num, hint, out, near), int64Input(ctx, [t.atom.den], `${hint}.c`)], hint);
    if (t.coef !== 1) v = emit(out, ctx, "Mul", [v, int64Input(ctx, [t.coef], `${hint}.c`)], hint);
    acc = acc === undefined ? v : emit(out, ctx, "Add", [acc, v], hint);
  }
  if (acc === undefined) throw new Error(`dim ${dimToString(d)} has no symbolic term`);
  return d.c === 0 ? acc : emit(out, ctx, "Add", [acc, int64Input(ctx, [d.c], `${hint}.c`)], hint);
}
