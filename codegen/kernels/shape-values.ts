// The ops whose values come from shapes or attributes, when lowering has not folded them to
// constants: Shape and Size of a tensor with symbolic dims (the dims are run-time ints in C),
// ConstantOfShape (a fill of any dtype over a static or symbolic extent) and Range (run-time
// start and delta over the extent its type records, computed as the interpreter does: in double
// for floats, in int64 for integers; its length too, which may be an extent: a length known only
// at run time and bounded by a symbolic dim, which Range sets).
import { shapeRange } from "../../ir/ops/shape/shape.js";
import type { Tensor } from "../../ir/types.js";
import { asExtent } from "../../ir/dim.js";
import { cDim, cIdent, ctype } from "../c-util.js";
import { defineKernel, type KernelDef } from "../kernel.js";
import { kindOf } from "./c-types.js";
import { typedSupports } from "./typed-elementwise.js";

/** A C literal holding the raw storage of element 0 of t (packed floats as their bits). */
function rawLiteral(t: Tensor): string {
  const v = t.data[0]!;
  switch (kindOf(t.dtype)) {
    case "f32": case "f64": {
      const n = v as number;
      if (Number.isNaN(n)) return "(0.0 / 0.0)";
      if (!Number.isFinite(n)) return n > 0 ? "HUGE_VAL" : "-HUGE_VAL";
      return n.toPrecision(17);
    }
    case "i64": return v === -(1n << 63n) ? "INT64_MIN" : `INT64_C(${v})`;
    case "u64": return `UINT64_C(${v})`;
    default: return String(Number(v));
  }
}

const shapeKernel = defineKernel({
  op: "Shape",
  emit(node, attrs, ctx) {
    const x = ctx.type(node.inputs[0]!);
    const [s, e] = shapeRange(x.shape.length, attrs.start as number, attrs.end as number | undefined);
    const py = ctx.ptr(node.outputs[0]!);
    return x.shape.slice(s, e).map((d, k) => `${py}[${k}] = (int64_t)${ctx.dim(d)};`).join("\n") || "/* no dims */";
  },
});

const sizeKernel = defineKernel({
  op: "Size",
  emit: (node, _a, ctx) => `${ctx.ptr(node.outputs[0]!)}[0] = (int64_t)${ctx.numel(node.inputs[0]!)};`,
});

const constantOfShapeKernel = defineKernel({
  op: "ConstantOfShape",
  supports: (node, _a, g) => typedSupports(node, undefined, g),
  emit(node, attrs, ctx) {
    const y = node.outputs[0]!;
    const dt = ctx.type(y).dtype;
    const value = (attrs.value as Tensor | undefined) ?? { dtype: "f32", shape: [1], data: new Float32Array(1) };
    return [
      `${ctype(dt)} *py = ${ctx.ptr(y)};`,
      `size_t i, n = (size_t)${ctx.numel(y)};`,
      `for (i = 0; i < n; i++) py[i] = (${ctype(dt)})${rawLiteral(value)};`,
    ].join("\n");
  },
});

/**
 * Range: the length ceil((limit - start) / delta) (0 when negative) is computed in double at run
 * time, as the interpreter computes it. When the output's length is an extent (`len1<=T`,
 * ir/dim.ts) the kernel checks it against the bound and sets the extent's variable
 * (codegen/extents.ts), so the nodes after it loop over it; any other length (a number, T) must
 * come out as the type says. A zero delta, a length above its bound, or one that differs makes
 * the run return 6.
 */
const rangeKernel = defineKernel({
  op: "Range",
  emit(node, _a, ctx) {
    const [s, l, d] = node.inputs as [string, string, string];
    const y = node.outputs[0]!;
    const ty = ctx.type(y);
    const t = ctype(ty.dtype);
    const float = kindOf(ty.dtype) === "f32" || kindOf(ty.dtype) === "f64";
    const value = float ? `(${t})((double)s + (double)i * (double)d)` : `(${t})((int64_t)s + (int64_t)i * (int64_t)d)`;
    const len = ty.shape[0]!;
    const e = asExtent(len);
    const check = e
      ? [`if (q > (double)(${cDim(e.bound)})) return 6; /* ${e.name} is at most its bound */`, `${cIdent(e.name)} = (int)q;`]
      : [`if (q != (double)(${cDim(len)})) return 6; /* the length the type says */`];
    return [
      `const ${t} s = ${ctx.ptr(s)}[0], d = ${ctx.ptr(d)}[0];`,
      `const double l = (double)${ctx.ptr(l)}[0];`,
      `${t} *py = ${ctx.ptr(y)};`,
      `double q;`,
      `size_t i, n;`,
      `if (d == 0) return 6;`,
      `q = ceil((l - (double)s) / (double)d);`,
      `if (q < 0) q = 0;`,
      ...check,
      `n = (size_t)q;`,
      `for (i = 0; i < n; i++) py[i] = ${value};`,
    ].join("\n");
  },
});

export const shapeValueKernels: KernelDef[] = [shapeKernel, sizeKernel, constantOfShapeKernel, rangeKernel];
