// Tensor types in IR text: `f32[1,64,T]`, symbolic dims as dim expressions
// (`floor((T+1)/2)`), and the quantization annotation after the shape:
//   per tensor   i8[1,64,T]{q: scale=0.05, zp=3}
//   per channel  i8[8,4,3]{q: axis=0, scale=[0.1, 0.2], zp=[0, 0]}
//   fixed point  i16[1,64,T]{q: Q3.12}
import { isDType, type DType } from "../dtype.js";
import { DimError, dimToString, parseDim, type Dim } from "../dim.js";
import type { Quant, TensorType } from "../types.js";
import type { Cursor } from "./cursor.js";
import { formatNumber, parseInteger, parseNumber } from "./literals.js";

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map(dimToString).join(",")}]`;
}

export function formatQuant(q: Quant): string {
  if (q.kind === "fixed") return `{q: Q${q.intBits}.${q.fracBits}}`;
  const list = (xs: readonly number[]) => `[${xs.map(formatNumber).join(", ")}]`;
  if (q.axis === undefined && q.scale.length === 1 && q.zeroPoint.length === 1) {
    return `{q: scale=${formatNumber(q.scale[0]!)}, zp=${formatNumber(q.zeroPoint[0]!)}}`;
  }
  const axis = q.axis === undefined ? "" : `axis=${formatNumber(q.axis)}, `;
  return `{q: ${axis}scale=${list(q.scale)}, zp=${list(q.zeroPoint)}}`;
}

/** A type, or `_` for a value whose type is not recorded. */
export function formatType(t: TensorType | undefined): string {
  if (!t) return "_";
  return `${t.dtype}${formatShape(t.shape)}${t.quant ? formatQuant(t.quant) : ""}`;
}

export function parseDType(c: Cursor): DType {
  const at = c.skip();
  const id = c.ident();
  if (id === undefined || !isDType(id)) c.fail(`expected a data type (f32, i8, ...), found ${id === undefined ? c.describeNext() : `"${id}"`}`, at);
  return id;
}

export function parseShape(c: Cursor): Dim[] {
  c.expect("[", "to open a shape");
  const shape: Dim[] = [];
  if (c.eat("]")) return shape;
  for (;;) {
    const { text, at } = c.rawUntil("]");
    if (text === "") c.fail(`expected a dim, found ${c.describeNext()}`);
    try {
      shape.push(parseDim(text));
    } catch (e) {
      if (e instanceof DimError) c.fail(e.message, at);
      throw e;
    }
    if (c.eat("]")) return shape;
    c.expect(",", "or ] in a shape");
  }
}

/** A type, including an optional quantization annotation. */
export function parseType(c: Cursor): TensorType {
  const dtype = parseDType(c);
  const shape = parseShape(c);
  const quant = parseQuantIfAny(c);
  return quant ? { dtype, shape, quant } : { dtype, shape };
}

/** A type or `_`. */
export function parseTypeOrBlank(c: Cursor): TensorType | undefined {
  if (c.match(/_(?![A-Za-z0-9_.])/y) !== undefined) return undefined;
  return parseType(c);
}

function parseQuantIfAny(c: Cursor): Quant | undefined {
  const save = c.pos;
  if (!c.eat("{")) return undefined;
  if (!c.eat("q") || !c.eat(":")) {
    c.pos = save;
    return undefined;
  }
  const fixed = c.match(/Q(\d+)\.(\d+)/y);
  if (fixed !== undefined) {
    const [m, n] = fixed.slice(1).split(".").map(Number) as [number, number];
    c.expect("}", "to close the quantization annotation");
    return { kind: "fixed", intBits: m, fracBits: n };
  }
  let axis: number | undefined;
  let scale: number[] | undefined;
  let zeroPoint: number[] | undefined;
  for (;;) {
    const at = c.skip();
    const key = c.ident();
    c.expect("=", `after ${key ?? "a quantization field"}`);
    if (key === "axis") axis = parseInteger(c, "an axis");
    else if (key === "scale") scale = numberOrList(c, false);
    else if (key === "zp") zeroPoint = numberOrList(c, true);
    else c.fail(`unknown quantization field "${key ?? ""}" (expected axis, scale, zp or Qm.n)`, at);
    if (c.eat("}")) break;
    c.expect(",", "or } in the quantization annotation");
  }
  if (!scale || !zeroPoint) c.fail("a quantization annotation needs both scale and zp");
  if (scale.length !== zeroPoint.length) c.fail(`quantization has ${scale.length} scales but ${zeroPoint.length} zero points`);
  return axis === undefined ? { kind: "affine", scale, zeroPoint } : { kind: "affine", scale, zeroPoint, axis };
}

function numberOrList(c: Cursor, integer: boolean): number[] {
  const one = () => (integer ? parseInteger(c, "a zero point") : parseNumber(c, "a scale"));
  if (!c.eat("[")) return [one()];
  const out: number[] = [];
  if (c.eat("]")) return out;
  for (;;) {
    out.push(one());
    if (c.eat("]")) return out;
    c.expect(",", "or ] in a list");
  }
}
