// Small helpers for writing C: identifiers from value names, C types of dtypes, float
// literals, and symbolic dims as C expressions over the runtime dim variables (e.g. `T`).
import type { DType } from "../ir/dtype.js";
import type { Dim, SymDim } from "../ir/dim.js";

/** A C identifier made from any value name, stable and readable (`/blocks.0/Add` -> `blocks_0_Add`). */
export function cIdent(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  if (s === "" || /^[0-9]/.test(s)) s = "v_" + s;
  return s;
}

/** Distinct C identifiers for a list of names (suffixes resolve clashes deterministically). */
export function uniqueIdents(names: readonly string[], taken: Iterable<string> = []): Map<string, string> {
  const used = new Set(taken);
  const out = new Map<string, string>();
  for (const n of names) {
    const base = cIdent(n);
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}_${k}`;
    used.add(id);
    out.set(n, id);
  }
  return out;
}

export function ctype(dt: DType): string {
  switch (dt) {
    case "f32": return "float";
    case "f64": return "double";
    case "i8": return "int8_t";
    case "u8": case "bool": return "uint8_t";
    case "i16": return "int16_t";
    case "u16": return "uint16_t";
    case "i32": return "int32_t";
    case "u32": return "uint32_t";
    case "i64": return "int64_t";
    case "u64": return "uint64_t";
    // Packed floats travel as their raw bits (ir/float-formats.ts); kernels convert them.
    case "f16": case "bf16": return "uint16_t";
    case "f8e4m3fn": case "f8e4m3fnuz": case "f8e5m2": case "f8e5m2fnuz": return "uint8_t"; // float8 bits
    default: throw new Error(`the C code generator does not support ${dt} tensors`);
  }
}

/** A float as a C float literal that reads back to exactly the same float32. */
export function cFloat(v: number): string {
  if (Number.isNaN(v)) return "(0.0f/0.0f)";
  if (v === Infinity) return "(1.0f/0.0f)";
  if (v === -Infinity) return "(-1.0f/0.0f)";
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return (/[.e]/.test(s) ? s : s + ".0") + "f";
  }
  return f.toPrecision(9) + "f";
}

/** A dim as a C expression of type int; symbols are C variables of the same name. */
export function cDim(d: Dim): string {
  if (typeof d === "number") return String(d);
  return cLinear(d);
}

function cLinear(d: SymDim): string {
  const parts: string[] = [];
  for (const t of d.terms) {
    const atom = t.atom.kind === "sym" ? cIdent(t.atom.name) : `neonc_floordiv(${cLinear(t.atom.num)}, ${t.atom.den})`;
    parts.push(t.coef === 1 ? atom : `${t.coef}*${atom}`);
  }
  let s = parts.join(" + ").replace(/\+ -/g, "- ");
  if (d.c > 0) s += ` + ${d.c}`;
  else if (d.c < 0) s += ` - ${-d.c}`;
  return parts.length === 1 && d.c === 0 ? s : `(${s})`;
}

/** Product of dims as a C expression (for element counts). */
export function cProduct(ds: readonly Dim[]): string {
  let k = 1;
  const sym: string[] = [];
  for (const d of ds) {
    if (typeof d === "number") k *= d;
    else sym.push(cDim(d));
  }
  if (sym.length === 0) return String(k);
  return [...(k === 1 ? [] : [String(k)]), ...sym].join("*");
}

/** Comment text safe inside C block comments. */
export function cComment(s: string): string {
  return s.replace(/\*\//g, "* /").replace(/[\r\n]+/g, " ");
}
