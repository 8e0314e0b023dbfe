// Einsum in C for any equation the interpreter takes (ir/ops/nn/einsum.ts): one loop per label,
// the output labels outside and the summed ones inside, each operand stepping through a label by
// the sum of its strides on the axes with that label (so "ii" walks the diagonal) and by 0 where
// it broadcasts a size-1 axis. Floats accumulate in their own type, integers in int64_t.
import { isSymbolic, type Dim } from "../../ir/dim.js";
import { parseEinsum } from "../../ir/ops/nn/einsum-equation.js";
import { cProduct, ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";

const TYPES = ["f32", "f64", "i32", "i64"];

export const einsumKernel = defineKernel({
  op: "Einsum",
  supports(node, _attrs, g) {
    const dt = g.types[node.inputs[0]!]?.dtype;
    return dt && TYPES.includes(dt) ? undefined : `dtype ${dt} is not generated (${TYPES.join(", ")} are)`;
  },
  emit(node, attrs, ctx) {
    const ts = node.inputs.map((v) => ctx.type(v));
    const e = parseEinsum<Dim>(attrs.equation as string, ts.map((t) => t.shape));
    const labels = [...e.output, ...e.summed];
    const size = (l: string) => ctx.dim(e.sizes.get(l)!);
    // Operand k's step for label l: its strides on the axes labelled l (0 on broadcast axes).
    const step = (k: number, l: string): string => {
      const shape = ts[k]!.shape;
      const terms: string[] = [];
      e.operands[k]!.forEach((own, axis) => {
        if (own !== l) return;
        const d = shape[axis]!, full = e.sizes.get(l)!;
        if (d === 1 && (isSymbolic(full) || full !== 1)) return;
        terms.push(cProduct(shape.slice(axis + 1)));
      });
      return terms.length === 0 ? "0" : terms.map((t) => `(size_t)(${t})`).join(" + ");
    };
    const dt = ts[0]!.dtype, t = ctype(dt);
    const acc = dt === "i32" || dt === "i64" ? "int64_t" : t;
    const idx = labels.map((_, i) => ctx.local(`l${i}`));
    const off = (k: number) => labels.map((l, i) => (step(k, l) === "0" ? "" : `${idx[i]} * (${step(k, l)})`)).filter((s) => s).join(" + ") || "0";
    const product = node.inputs.map((v, k) => `(${acc})${ctx.ptr(v)}[${off(k)}]`).join(" * ");
    const lines = [`{`, `size_t ${idx.length > 0 ? idx.join(", ") + ", " : ""}yo = 0;`, `${t} *y = ${ctx.ptr(node.outputs[0]!)};`];
    let indent = "";
    e.output.forEach((l, i) => { lines.push(`${indent}for (${idx[i]} = 0; ${idx[i]} < (size_t)${size(l)}; ${idx[i]}++)`); indent += "  "; });
    lines.push(`${indent}{`, `${indent}  ${acc} s = 0;`);
    let inner = indent + "  ";
    e.summed.forEach((l, j) => { const i = e.output.length + j; lines.push(`${inner}for (${idx[i]} = 0; ${idx[i]} < (size_t)${size(l)}; ${idx[i]}++)`); inner += "  "; });
    lines.push(`${inner}s += ${product};`, `${indent}  y[yo++] = (${t})s;`, `${indent}}`, `}`);
    return lines.join("\n");
  },
});
