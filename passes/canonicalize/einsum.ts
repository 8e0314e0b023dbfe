// Einsum as Transpose / ReduceSum / MatMul / Reshape, so that the equations speech models emit
// (attention's "bhtd,bhsd->bhts" and "bhts,bhsd->bhtd", projections "btc,cd->btd", pooled sums)
// get MatMul's fast and integer kernels instead of Einsum's loop nest (codegen/kernels/einsum.ts).
//
// Operands are contracted pairwise, left to right. For a pair A, B every label is one of:
// batch (in both, still needed), m (A only, needed), n (B only, needed), k (in both, not needed:
// contracted by the MatMul) or private (one operand only, not needed: a ReduceSum first). A is
// transposed to [batch, m, k, private], B to [batch, k, n, private]; the private labels are summed
// (trailing, so ReduceSum reads one contiguous run); each group becomes one axis (Reshape; an
// empty group an axis of 1), MatMul gives [batch, m, n], a Reshape splits the groups again. A
// single operand is a ReduceSum of the labels not in the output. A last Transpose puts the labels
// in the output's order. Transposes and Reshapes that would change nothing are left out.
// Declined: a label twice in one operand (a diagonal or trace), a dtype MatMul does not take, and
// groups of two symbolic dims (their product is no dim). Einsum accumulates in double and rounds
// once, MatMul and ReduceSum do the same per product: the results agree to float rounding.
import { mulDim, DimError, type Dim } from "../../ir/dim.js";
import { parseEinsum } from "../../ir/ops/nn/einsum-equation.js";
import { ensure, rule, type Rule, type RewriteBuilder } from "../patterns.js";

const TYPES = ["f32", "f64"];

/** A value and the label of each of its axes. */
interface Term {
  readonly value: string;
  readonly labels: readonly string[];
}

function product(dims: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of dims) {
    try {
      p = mulDim(p, d);
    } catch (e) {
      ensure(!(e instanceof DimError), () => `a group of labels multiplies symbolic dims (${(e as Error).message})`);
      throw e;
    }
  }
  return p;
}

function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

/** The value with its axes in the order of `labels` (a Transpose unless already so). */
function transposeTo(b: RewriteBuilder, t: Term, labels: readonly string[]): Term {
  const perm = labels.map((l) => t.labels.indexOf(l));
  return isIdentity(perm) ? t : { value: b.op1("Transpose", [t.value], { perm }), labels };
}

/** t with the labels in `drop` (trailing axes) summed away. */
function sumTrailing(b: RewriteBuilder, t: Term, drop: readonly string[]): Term {
  if (drop.length === 0) return t;
  const keep = t.labels.length - drop.length;
  const axes = drop.map((_, i) => keep + i);
  return { value: b.op1("ReduceSum", [t.value], { axes, keepdims: 0 }), labels: t.labels.slice(0, keep) };
}

function reshape(b: RewriteBuilder, value: string, shape: readonly Dim[]): string {
  const now = b.type(value).shape;
  const same = now.length === shape.length && now.every((d, i) => d === shape[i]);
  return same ? value : b.op1("Reshape", [value], { shape: [...shape] });
}

/** Contracts a and b, keeping the labels in `needed`. */
function contract(b: RewriteBuilder, a: Term, c: Term, needed: ReadonlySet<string>): Term {
  const inA = new Set(a.labels), inC = new Set(c.labels);
  const batch = a.labels.filter((l) => inC.has(l) && needed.has(l));
  const k = a.labels.filter((l) => inC.has(l) && !needed.has(l));
  const m = a.labels.filter((l) => !inC.has(l) && needed.has(l));
  const n = c.labels.filter((l) => !inA.has(l) && needed.has(l));
  const privA = a.labels.filter((l) => !inC.has(l) && !needed.has(l));
  const privC = c.labels.filter((l) => !inA.has(l) && !needed.has(l));
  const A = sumTrailing(b, transposeTo(b, a, [...batch, ...m, ...k, ...privA]), privA);
  const C = sumTrailing(b, transposeTo(b, c, [...batch, ...k, ...n, ...privC]), privC);
  const dimsOf = (t: Term, ls: readonly string[]) => ls.map((l) => b.type(t.value).shape[t.labels.indexOf(l)]!);
  // Batch dims may broadcast (a size-1 "..." dim): each side keeps its own.
  const a3 = reshape(b, A.value, [...dimsOf(A, batch), product(dimsOf(A, m)), product(dimsOf(A, k))]);
  const c3 = reshape(b, C.value, [...dimsOf(C, batch), product(dimsOf(C, k)), product(dimsOf(C, n))]);
  const mm = b.op1("MatMul", [a3, c3]);
  const out = b.type(mm).shape;
  const value = reshape(b, mm, [...out.slice(0, batch.length), ...dimsOf(A, m), ...dimsOf(C, n)]);
  return { value, labels: [...batch, ...m, ...n] };
}

export const einsumRule: Rule = rule("Einsum", (node, g) => {
  const types = node.inputs.map((v) => g.type(v));
  ensure(TYPES.includes(types[0]!.dtype), `dtype ${types[0]!.dtype} stays an Einsum (MatMul takes ${TYPES.join(", ")} here)`);
  const eq = g.attrs<{ equation: string }>(node).equation;
  const e = parseEinsum<Dim>(eq, types.map((t) => t.shape));
  for (const labels of e.operands) ensure(new Set(labels).size === labels.length, "a label twice in one operand (a diagonal or trace) stays an Einsum");
  const b = g.rewrite(node);
  let acc: Term = { value: node.inputs[0]!, labels: e.operands[0]! };
  for (let k = 1; k < node.inputs.length; k++) {
    const needed = new Set([...e.output, ...e.operands.slice(k + 1).flat()]);
    acc = contract(b, acc, { value: node.inputs[k]!, labels: e.operands[k]! }, needed);
  }
  const rest = acc.labels.filter((l) => !e.output.includes(l));
  acc = sumTrailing(b, transposeTo(b, acc, [...acc.labels.filter((l) => e.output.includes(l)), ...rest]), rest);
  acc = transposeTo(b, acc, e.output);
  // A ReduceSum over everything or a broadcast batch may still differ in shape from the Einsum.
  const want = g.type(node.outputs[0]!).shape;
  const value = reshape(b, acc.value, want);
  return b.explain(`Einsum "${eq}" as ${node.inputs.length > 1 ? "MatMul" : "ReduceSum"} with Transposes`).replaceWith(value);
}, "einsum-as-matmul");
