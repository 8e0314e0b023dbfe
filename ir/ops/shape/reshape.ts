// Reshape: the IR form keeps the target as a `dims` attribute (ONNX reads it from an input since
// opset 5). 0 copies the input dim (unless allowzero) and -1 is inferred; both keep their ONNX
// meaning in the attribute, so a symbolic input shape still folds into the output type.
import { dimEquals, dimToString, floorDivDim, isSymbolic, mulDim, shapeToString, type Dim } from "../../dim.js";
import { defineOp, dims, int, required } from "../../op.js";
import { makeTensor } from "../../types.js";
import { allStatic, input, quantThrough, typeWith } from "./util.js";
import { shapeInputFromOnnx, shapeInputToOnnx } from "./shape-input.js";

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

/** Splits a product of dims into a number and the symbolic factors, pulling integer content out. */
function factor(ds: readonly Dim[]): { coef: number; syms: Dim[] } {
  let coef = 1;
  const syms: Dim[] = [];
  for (const d of ds) {
    if (!isSymbolic(d)) {
      coef *= d;
      continue;
    }
    let g = Math.abs(d.c);
    for (const t of d.terms) g = gcd(g, t.coef);
    if (g > 1) {
      coef *= g;
      syms.push(floorDivDim(d, g)); // exact: every coefficient is a multiple of g
    } else {
      syms.push(d);
    }
  }
  return { coef, syms };
}

/** The output shape of Reshape(input -> target) with ONNX's 0 and -1, on symbolic dims too. */
export function reshapeDims(inShape: readonly Dim[], target: readonly Dim[], allowzero: boolean): Dim[] {
  const where = () => `reshape of ${shapeToString(inShape)} to ${shapeToString(target)}`;
  let minus = -1;
  const out = target.map((d, i): Dim => {
    if (d === 0 && !allowzero) {
      if (i >= inShape.length) throw new Error(`${where()}: 0 at position ${i} has no input dim to copy`);
      return inShape[i]!;
    }
    if (d === -1) {
      if (minus >= 0) throw new Error(`${where()}: more than one -1`);
      minus = i;
      return d;
    }
    if (typeof d === "number" && (d < 0 || !Number.isInteger(d))) throw new Error(`${where()}: invalid dim ${d}`);
    return d;
  });
  const known = out.filter((_, i) => i !== minus);
  const a = factor(inShape);
  const b = factor(known);
  // Cancel the symbolic factors both sides share.
  const rest: Dim[] = [];
  for (const s of a.syms) {
    const k = b.syms.findIndex((t) => dimEquals(s, t));
    if (k >= 0) b.syms.splice(k, 1);
    else rest.push(s);
  }
  if (minus < 0) {
    if (rest.length === 0 && b.syms.length === 0 && a.coef !== b.coef) {
      throw new Error(`${where()}: ${a.coef} elements cannot become ${b.coef}`);
    }
    return out;
  }
  if (b.syms.length > 0) throw new Error(`${where()}: cannot infer -1 with symbolic target dims ${b.syms.map(dimToString).join(",")}`);
  if (b.coef === 0) {
    if (a.coef === 0 && rest.length === 0) throw new Error(`${where()}: -1 is ambiguous with a zero-sized target dim`);
    throw new Error(`${where()}: -1 cannot be inferred next to a zero-sized dim`);
  }
  if (rest.length === 0) {
    if (a.coef % b.coef !== 0) throw new Error(`${where()}: ${a.coef} elements do not divide into ${b.coef}`);
    out[minus] = a.coef / b.coef;
    return out;
  }
  if (rest.length > 1) throw new Error(`${where()}: -1 would be a product of symbolic dims ${rest.map(dimToString).join("*")}, which neonc cannot represent`);
  const g = gcd(a.coef, b.coef);
  out[minus] = floorDivDim(mulDim(rest[0]!, a.coef / g), b.coef / g);
  return out;
}

/** Where a per-channel axis lands after a reshape, when the channel dim survives intact. */
export function reshapeAxis(inShape: readonly Dim[], outShape: readonly Dim[], axis: number): number | undefined {
  if (!allStatic(inShape) || !allStatic(outShape)) return undefined;
  let before = 1;
  for (let k = 0; k < axis; k++) before *= inShape[k]!;
  let acc = 1;
  for (let k = 0; k < outShape.length; k++) {
    if (acc === before && outShape[k] === inShape[axis]) return k;
    acc *= outShape[k]!;
  }
  return undefined;
}

export const Reshape = defineOp({
  name: "Reshape",
  traits: { view: true, int8PassThrough: true, movesData: true },
  doc: "Gives a tensor a new shape with the same elements (0 copies a dim unless allowzero, -1 is inferred).",
  attrs: { shape: required(dims()), allowzero: int(0) },
  inputs: ["x"],
  outputs: ["y"],
  fromOnnx: shapeInputFromOnnx,
  toOnnx: shapeInputToOnnx("Reshape"),
  infer: (xs, a) => {
    const x = input(xs, 0, "x");
    const shape = reshapeDims(x.shape, a.shape, a.allowzero !== 0);
    return [typeWith(x.dtype, shape, quantThrough(x.quant, (ax) => reshapeAxis(x.shape, shape, ax)))];
  },
  evaluate: (xs, a) => {
    const x = input(xs, 0, "x");
    const shape = reshapeDims(x.shape, a.shape, a.allowzero !== 0) as number[];
    return [makeTensor(x.dtype, shape, x.data)];
  },
  foldDims: ([v]) => [v],
});
