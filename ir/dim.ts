// Symbolic dimensions: the time axis `T` of a speech model and integer expressions of it.
//
// A Dim is a number or a SymDim. A SymDim is kept in one canonical linear form
//   c + sum(coef_i * atom_i)
// where an atom is a symbol (`T`) or `floor(L / d)` of another linear form L with d >= 2.
// Canonicalisation makes equal expressions print equally, so shape checks can compare
// strings: `ceil(x/d)` is rewritten as `floor((x+d-1)/d)`, constants inside a floor are kept
// in [0, d), nested floors are merged (floor((floor(x/a)+c)/b) = floor((x+c*a)/(a*b))), and
// multiples of d are pulled out of the floor. Products of two symbolic dims are not supported.
//
// A symbol may carry an upper bound: an *extent*, a length computed at run time from tensor values
// (Range(0, ReduceMax(lengths)) makes one) that is at most its bound, a dim over the input symbols
// (`L<=T`). The interpreter binds it when the node that makes it runs and checks the bound; the
// generated C keeps it in a variable and sizes buffers for the bound (upperBoundDim).

export interface SymDim {
  readonly c: number;
  /** Sorted by atom key; coefficients are non-zero integers. */
  readonly terms: readonly Term[];
}
export interface Term { readonly coef: number; readonly atom: Atom }
export type Atom =
  | { readonly kind: "sym"; readonly name: string; readonly bound?: Dim }
  | { readonly kind: "floor"; readonly num: SymDim; readonly den: number };
export type Dim = number | SymDim;

export class DimError extends Error {}

export function sym(name: string): SymDim {
  return { c: 0, terms: [{ coef: 1, atom: { kind: "sym", name } }] };
}

/** A run-time extent `name` that is at most `bound` (a dim over other symbols). */
export function extent(name: string, bound: Dim): SymDim {
  return { c: 0, terms: [{ coef: 1, atom: { kind: "sym", name, bound } }] };
}

/** The bound of an extent made by the first import pass, before the importer knows it ("?" is no C name). */
export const PENDING_BOUND: Dim = { c: 0, terms: [{ coef: 1, atom: { kind: "sym", name: "?" } }] };

/** The extent atom when d is exactly one bare extent symbol. */
export function asExtent(d: Dim): { readonly name: string; readonly bound: Dim } | undefined {
  if (typeof d === "number" || d.c !== 0 || d.terms.length !== 1 || d.terms[0]!.coef !== 1) return undefined;
  const a = d.terms[0]!.atom;
  return a.kind === "sym" && a.bound !== undefined ? { name: a.name, bound: a.bound } : undefined;
}

/** Extents a dim mentions, by name. */
export function dimExtents(d: Dim, out: Map<string, Dim> = new Map()): Map<string, Dim> {
  if (typeof d === "number") return out;
  for (const t of d.terms) {
    if (t.atom.kind === "sym") {
      if (t.atom.bound !== undefined) out.set(t.atom.name, t.atom.bound);
    } else dimExtents(t.atom.num, out);
  }
  return out;
}

/**
 * An upper bound of d with no extents left: each extent becomes its bound where d grows with it
 * and 0 where it shrinks (extents are never negative). This sizes buffers in the generated C.
 */
export function upperBoundDim(d: Dim, sign = 1): Dim {
  if (typeof d === "number") return d;
  let acc: Dim = d.c;
  for (const t of d.terms) {
    const s = Math.sign(t.coef) * sign;
    let a: Dim;
    if (t.atom.kind === "sym") {
      a = t.atom.bound === undefined ? { c: 0, terms: [{ coef: 1, atom: { kind: "sym", name: t.atom.name } }] } : s > 0 ? upperBoundDim(t.atom.bound) : 0;
    } else {
      a = floorDivDim(upperBoundDim(t.atom.num, s), t.atom.den);
    }
    acc = addDim(acc, mulDim(a, t.coef));
  }
  return acc;
}

export function isSymbolic(d: Dim): d is SymDim {
  return typeof d !== "number";
}

function lin(d: Dim): SymDim {
  return typeof d === "number" ? { c: d, terms: [] } : d;
}

function atomKey(a: Atom): string {
  return a.kind === "sym" ? a.name : `floor(${dimToString(a.num)}/${a.den})`;
}

function symText(a: Atom & { kind: "sym" }): string {
  if (a.bound === undefined) return a.name;
  const b = a.bound;
  const simple = typeof b === "number" || (b.c === 0 && b.terms.length === 1 && b.terms[0]!.coef === 1 && b.terms[0]!.atom.kind === "sym" && b.terms[0]!.atom.bound === undefined);
  return `${a.name}<=${simple ? dimToString(b) : `(${dimToString(b)})`}`;
}

function normalize(c: number, terms: Term[]): Dim {
  const merged = new Map<string, Term>();
  for (const t of terms) {
    const k = atomKey(t.atom);
    const prev = merged.get(k);
    merged.set(k, { coef: (prev?.coef ?? 0) + t.coef, atom: t.atom });
  }
  const out = [...merged.entries()]
    .filter(([, t]) => t.coef !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, t]) => t);
  if (out.length === 0) return c;
  return { c, terms: out };
}

export function addDim(a: Dim, b: Dim): Dim {
  if (typeof a === "number" && typeof b === "number") return a + b;
  const la = lin(a), lb = lin(b);
  return normalize(la.c + lb.c, [...la.terms, ...lb.terms]);
}

export function subDim(a: Dim, b: Dim): Dim {
  return addDim(a, mulDim(b, -1));
}

/** Product of two dims; at least one must be a constant. */
export function mulDim(a: Dim, b: Dim): Dim {
  if (typeof a === "number" && typeof b === "number") return a * b;
  if (typeof a !== "number" && typeof b !== "number") {
    throw new DimError(`cannot multiply two symbolic dims (${dimToString(a)} and ${dimToString(b)})`);
  }
  const k = (typeof a === "number" ? a : b) as number;
  const s = (typeof a === "number" ? b : a) as SymDim;
  if (!Number.isInteger(k)) throw new DimError(`cannot scale symbolic dim ${dimToString(s)} by ${k}`);
  return normalize(s.c * k, s.terms.map((t) => ({ coef: t.coef * k, atom: t.atom })));
}

/** floor(a / d) for an integer d >= 1. */
export function floorDivDim(a: Dim, d: number): Dim {
  if (!Number.isInteger(d) || d <= 0) throw new DimError(`cannot divide a dim by ${d}`);
  if (typeof a === "number") return Math.floor(a / d);
  if (d === 1) return a;
  // Pull out the terms whose coefficient is a multiple of d, and the multiple of d in c.
  const outside: Term[] = [];
  const inside: Term[] = [];
  for (const t of a.terms) {
    if (t.coef % d === 0) outside.push({ coef: t.coef / d, atom: t.atom });
    else inside.push(t);
  }
  let c = a.c;
  const q = Math.floor(c / d);
  c -= q * d;
  if (inside.length === 0) return normalize(q, outside); // floor(c/d) with 0 <= c < d is 0
  // Merge a nested floor: floor((floor(x/a) + c)/d) = floor((x + c*a)/(a*d)).
  if (inside.length === 1 && inside[0]!.coef === 1 && inside[0]!.atom.kind === "floor") {
    const inner = inside[0]!.atom;
    const merged = floorDivDim(addDim(inner.num, c * inner.den), inner.den * d);
    return addDim(normalize(q, outside), merged);
  }
  const num = normalize(c, inside) as SymDim;
  return addDim(normalize(q, outside), { c: 0, terms: [{ coef: 1, atom: { kind: "floor", num, den: d } }] });
}

/** ceil(a / d) = floor((a + d - 1) / d). */
export function ceilDivDim(a: Dim, d: number): Dim {
  return floorDivDim(addDim(a, d - 1), d);
}

export function dimEquals(a: Dim, b: Dim): boolean {
  if (typeof a === "number" || typeof b === "number") return a === b;
  return dimToString(a) === dimToString(b);
}

/** Symbols of the model a dim depends on (an extent counts as the symbols of its bound). */
export function dimSymbols(d: Dim, out: Set<string> = new Set()): Set<string> {
  if (typeof d === "number") return out;
  for (const t of d.terms) {
    // An extent is not a symbol of the model: it depends on the symbols of its bound.
    if (t.atom.kind === "sym") {
      if (t.atom.bound === undefined) out.add(t.atom.name);
      else dimSymbols(t.atom.bound, out);
    } else dimSymbols(t.atom.num, out);
  }
  return out;
}

/** Value of a dim given values for its symbols. */
export function evalDim(d: Dim, env: Readonly<Record<string, number>>): number {
  if (typeof d === "number") return d;
  let v = d.c;
  for (const t of d.terms) {
    let a: number;
    if (t.atom.kind === "sym") {
      const x = env[t.atom.name];
      if (x === undefined) throw new DimError(`no value for symbolic dim ${t.atom.name}`);
      a = x;
    } else {
      a = Math.floor(evalDim(t.atom.num, env) / t.atom.den);
    }
    v += t.coef * a;
  }
  return v;
}

/** Substitutes known symbols; returns a number when nothing symbolic is left. */
export function substituteDim(d: Dim, env: Readonly<Record<string, Dim>>): Dim {
  if (typeof d === "number") return d;
  let acc: Dim = d.c;
  for (const t of d.terms) {
    const a: Dim = t.atom.kind === "sym"
      ? (env[t.atom.name] ?? { c: 0, terms: [{ coef: 1, atom: t.atom.bound === undefined ? t.atom : { ...t.atom, bound: substituteDim(t.atom.bound, env) } }] })
      : floorDivDim(substituteDim(t.atom.num, env), t.atom.den);
    acc = addDim(acc, mulDim(a, t.coef));
  }
  return acc;
}

export function dimToString(d: Dim): string {
  if (typeof d === "number") return String(d);
  let s = "";
  for (const t of d.terms) {
    const a = t.atom.kind === "sym" ? symText(t.atom) : `floor(${parenIfSum(t.atom.num)}/${t.atom.den})`;
    const mag = Math.abs(t.coef);
    const body = mag === 1 ? a : `${mag}*${a}`;
    if (s === "") s = t.coef < 0 ? `-${body}` : body;
    else s += t.coef < 0 ? `-${body}` : `+${body}`;
  }
  if (d.c > 0) s += `+${d.c}`;
  else if (d.c < 0) s += `-${-d.c}`;
  return s;
}

function parenIfSum(d: SymDim): string {
  const s = dimToString(d);
  return d.terms.length === 1 && d.c === 0 && Math.abs(d.terms[0]!.coef) === 1 ? s : `(${s})`;
}

export function shapeToString(shape: readonly Dim[]): string {
  return `[${shape.map(dimToString).join(",")}]`;
}

/**
 * Parses a dim expression: integers, identifiers, + - *, parentheses, floor(e/n), ceil(e/n), and
 * extents `L<=B` (B an integer, an identifier or a parenthesized expression).
 */
export function parseDim(text: string): Dim {
  let i = 0;
  const s = text.replace(/\s+/g, "");
  const fail = (msg: string): never => {
    throw new DimError(`bad dim expression "${text}": ${msg}`);
  };
  const peek = () => s[i];
  const expr = (): Dim => {
    let v = term();
    while (peek() === "+" || peek() === "-") {
      const op = s[i++];
      const t = term();
      v = op === "+" ? addDim(v, t) : subDim(v, t);
    }
    return v;
  };
  const term = (): Dim => {
    let v = unary();
    while (peek() === "*") {
      i++;
      v = mulDim(v, unary());
    }
    return v;
  };
  const unary = (): Dim => {
    if (peek() === "-") {
      i++;
      return mulDim(unary(), -1);
    }
    return primary();
  };
  const primary = (): Dim => {
    const m = /^(\d+)/.exec(s.slice(i));
    if (m) {
      i += m[1]!.length;
      return Number(m[1]);
    }
    if (peek() === "(") {
      i++;
      const v = expr();
      if (s[i++] !== ")") fail("expected )");
      return v;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (!id) return fail(`unexpected "${s.slice(i, i + 8) || "end"}"`);
    i += id[0].length;
    if ((id[0] === "floor" || id[0] === "ceil") && peek() === "(") {
      i++;
      const num = expr();
      if (s[i++] !== "/") fail("expected / in " + id[0]);
      const dm = /^(\d+)/.exec(s.slice(i));
      if (!dm) return fail("expected an integer divisor");
      i += dm[1]!.length;
      if (s[i++] !== ")") fail("expected )");
      const den = Number(dm[1]);
      return id[0] === "floor" ? floorDivDim(num, den) : ceilDivDim(num, den);
    }
    if (s.startsWith("<=", i)) {
      i += 2;
      return extent(id[0], primary());
    }
    return sym(id[0]);
  };
  const v = expr();
  if (i !== s.length) fail(`unexpected "${s.slice(i)}"`);
  return v;
}
