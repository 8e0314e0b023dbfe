// Range: start, start+delta, ... before limit, from three scalar inputs read at run time. The
// length ceil((limit-start)/delta) (0 when negative) is computed in double, as the interpreter
// computes it. When the output's length is a length computed at run time (an extent, `len1<=T`)
// the kernel checks it against the bound and sets the extent's variable (codegen/extents.ts), so
// the nodes after it loop over it; any other output length (a number, T) must come out equal.
// A zero delta, a length above the bound, or one that differs returns 4 from the run.
import { asExtent } from "../../ir/dim.js";
import { cDim, cIdent, ctype } from "../c-util.js";
import { defineKernel } from "../kernel.js";

const TYPES = new Set(["f32", "f64", "i32", "i64"]);

export const rangeKernel = defineKernel({
  op: "Range",
  supports(node, _attrs, g) {
    const dt = g.types[node.outputs[0]!]!.dtype;
    return TYPES.has(dt) ? undefined : `Range of ${dt} is not generated (float32, float64, int32, int64)`;
  },
  emit(node, _attrs, ctx) {
    const y = node.outputs[0]!;
    const t = ctx.type(y);
    const ct = ctype(t.dtype);
    // A constant operand is written as a literal (int64 constants have no weight array).
    const [s, l, d] = node.inputs.map((v) => {
      const c = ctx.constant(v!);
      if (!c) return `${ctx.ptr(v!)}[0]`;
      const x = Number(c.data[0]);
      return t.dtype.startsWith("i") ? `((${ct})${x})` : `((${ct})${Number.isInteger(x) ? x.toFixed(1) : x.toPrecision(17)})`;
    });
    const len = t.shape[0]!;
    const e = asExtent(len);
    const n = ctx.local("n"), q = ctx.local("q"), i = ctx.local("i");
    const check = e
      ? `if (${q} > (double)(${cDim(e.bound)})) return 4; /* ${e.name} is at most its bound */\n${cIdent(e.name)} = ${n};`
      : `if (${n} != ${cDim(len)}) return 4; /* the length the type says */`;
    const value = t.dtype.startsWith("i")
      ? `(${ct})(${s} + (${ct})${i} * ${d})`
      : `(${ct})((double)${s} + (double)${i} * (double)${d})`;
    return [
      `double ${q};`,
      `int ${n};`,
      `if (${d} == 0) return 4;`,
      `${q} = ceil(((double)${l} - (double)${s}) / (double)${d});`,
      `if (${q} < 0) ${q} = 0;`,
      `if (${q} > 2147483647.0) return 4;`,
      `${n} = (int)${q};`,
      check,
      `for (int ${i} = 0; ${i} < ${n}; ${i}++) ${ctx.ptr(y)}[${i}] = ${value};`,
    ].join("\n");
  },
});
