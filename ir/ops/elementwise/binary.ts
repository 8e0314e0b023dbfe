// Broadcasting arithmetic: Add, Sub, Mul, Div, Pow.
//
// Add/Sub/Mul/Div also fold at import on shape vectors whose elements may be symbolic dims
// (e.g. Shape -> Gather -> Div(2) -> Concat -> Reshape computing T/2), so the time axis keeps a
// symbolic size through such shape arithmetic.
import { withFusedActivation } from "../../activation.js";
import { isBig, isInteger, isPackedFloat, type DType } from "../../dtype.js";
import { addDim, dimEquals, floorDivDim, isSymbolic, mulDim, subDim, type Dim } from "../../dim.js";
import { storeReals, tensorToF32, tensorToF64 } from "../../float-formats.js";
import { defineOp, type OpDef } from "../../op.js";
import { broadcastShapes } from "../../shape-util.js";
import { makeTensor, stridesOf, tensorType, type Tensor, type TensorType } from "../../types.js";
import { broadcast2, planBroadcast, powRow, type NumArr } from "../../kernels/elementwise.js";
import { arith, broadcastBinaryParts, broadcastOf, checkDtype, need, NUMERIC, present, type ArithOp } from "./common.js";

type DimOp = (a: Dim, b: Dim) => Dim | undefined;

/**
 * Applies f elementwise to two dim vectors with numpy broadcasting over their static shapes
 * (a vector without a known static shape is taken as 1-D). Undefined when anything is unknown.
 */
export function foldBroadcastDims(
  inputs: readonly (readonly Dim[] | undefined)[], inputTypes: readonly (TensorType | undefined)[], f: DimOp,
): (readonly Dim[] | undefined)[] | undefined {
  const a = inputs[0], b = inputs[1];
  if (!a || !b) return undefined;
  const shapeOf = (v: readonly Dim[], t: TensorType | undefined): number[] | undefined => {
    const s = t?.shape;
    if (!s) return [v.length];
    if (s.some(isSymbolic)) return undefined;
    const n = (s as number[]).reduce((x, y) => x * y, 1);
    return n === v.length ? (s as number[]) : undefined;
  };
  const sa = shapeOf(a, inputTypes[0]), sb = shapeOf(b, inputTypes[1]);
  if (!sa || !sb) return undefined;
  let shape: number[];
  try {
    shape = broadcastShapes(sa, sb);
  } catch {
    return undefined;
  }
  const n = shape.reduce((x, y) => x * y, 1);
  const stA = bstrides(sa, shape), stB = bstrides(sb, shape), stO = stridesOf(shape);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    let ia = 0, ib = 0, r = i;
    for (let d = 0; d < shape.length; d++) {
      const k = Math.floor(r / stO[d]!);
      r -= k * stO[d]!;
      ia += k * stA[d]!;
      ib += k * stB[d]!;
    }
    let v: Dim | undefined;
    try {
      v = f(a[ia]!, b[ib]!);
    } catch {
      return undefined; // e.g. the product of two symbolic dims
    }
    if (v === undefined) return undefined;
    out.push(v);
  }
  return [out];
}

/** Strides of shape s broadcast to `to` (0 along broadcast dims). */
function bstrides(s: readonly number[], to: readonly number[]): number[] {
  const st = stridesOf(s);
  return to.map((_, d) => {
    const k = d - (to.length - s.length);
    return k < 0 || s[k] === 1 ? 0 : st[k]!;
  });
}

/** Symbolic dims only combine with integers (a float vector may hold 2.5). */
const intOrSym = (a: Dim, b: Dim): boolean =>
  (typeof a === "number" && typeof b === "number") ||
  ((typeof a !== "number" || Number.isInteger(a)) && (typeof b !== "number" || Number.isInteger(b)));

function divDims(dt: DType | undefined): DimOp {
  const integer = dt !== undefined && isInteger(dt);
  return (a, b) => {
    if (typeof b !== "number" || b === 0) return undefined;
    if (typeof a === "number") return integer ? Math.trunc(a / b) : a / b;
    if (!Number.isInteger(b) || b < 0) return undefined;
    const q = floorDivDim(a, b);
    // Dims are sizes (>= 0), where C's truncating division is the floor; a float Div folds only
    // when it is exact.
    if (!integer && !dimEquals(mulDim(q, b), a)) return undefined;
    return q;
  };
}

function binaryArith(name: ArithOp & ("Add" | "Sub" | "Mul" | "Div"), doc: string, dimOp: (t: TensorType | undefined) => DimOp): OpDef<{}> {
  return defineOp({
    name,
    doc,
    ...broadcastBinaryParts(name, NUMERIC),
    evaluate: (inputs) => {
      const [a, b] = need(name, inputs, 2);
      return [arith(name, a!, b!)];
    },
    foldDims: (inputs, _attrs, types) => foldBroadcastDims(inputs, types, dimOp(types[0])),
  });
}

// withFusedActivation adds the optional `activation` / `activation_params` attributes (ir/activation.ts).
export const Add = withFusedActivation(binaryArith("Add", "Elementwise sum with numpy broadcasting.", () => (a, b) => (intOrSym(a, b) ? addDim(a, b) : undefined)));
export const Sub = binaryArith("Sub", "Elementwise difference with numpy broadcasting.", () => (a, b) => (intOrSym(a, b) ? subDim(a, b) : undefined));
export const Mul = binaryArith("Mul", "Elementwise product with numpy broadcasting (integers wrap).", () => (a, b) => (intOrSym(a, b) ? mulDim(a, b) : undefined));
export const Div = binaryArith(
  "Div", "Elementwise quotient with numpy broadcasting; integer division truncates toward zero as in C.",
  (t) => divDims(t?.dtype),
);

const POW_BASE: readonly DType[] = NUMERIC;

/**
 * Integer power by squaring, wrapped to 64 bits (the low bits are the same for i64 and u64);
 * a negative exponent gives 1/x^k truncated toward zero.
 */
function powBig(base: bigint, e: bigint): bigint {
  if (e < 0n) return base === 1n ? 1n : base === -1n ? (e % 2n === 0n ? 1n : -1n) : 0n;
  let r = 1n, b = base;
  while (e > 0n) {
    if (e & 1n) r = BigInt.asIntN(64, r * b);
    e >>= 1n;
    if (e > 0n) b = BigInt.asIntN(64, b * b);
  }
  return r;
}

export const Pow = defineOp({
  name: "Pow",
  doc: "Elementwise power X^Y with numpy broadcasting; Y may have another numeric dtype, the result has X's.",
  attrs: {},
  inputs: ["X", "Y"],
  outputs: ["Z"],
  dtypes: POW_BASE,
  traits: { binary: true },
  infer: (inputs) => {
    const [x, y] = present("Pow", inputs, ["X", "Y"]);
    checkDtype("Pow", x!, POW_BASE);
    checkDtype("Pow", y!, NUMERIC);
    return [tensorType(x!.dtype, broadcastOf("Pow", [x!.shape, y!.shape]))];
  },
  evaluate: (inputs) => {
    const [x, y] = need("Pow", inputs, 2) as [Tensor, Tensor];
    const dt = x.dtype;
    const shape = broadcastShapes(x.shape, y.shape);
    const plan = planBroadcast(shape, [x.shape, y.shape]);
    const out = makeTensor(dt, shape);
    if (isBig(dt) && isInteger(y.dtype)) {
      // Exact integer power for 64-bit bases.
      const ys = isBig(y.dtype) ? (y.data as BigInt64Array) : BigInt64Array.from(y.data as Int32Array, (v) => BigInt(v));
      broadcast2(plan, out.data as BigInt64Array, x.data as BigInt64Array, ys, powBigRow);
      return [out];
    }
    const xv = dt === "f32" ? (x.data as Float32Array) : isPackedFloat(dt) ? tensorToF32(x) : isBig(dt) ? tensorToF64(x) : (x.data as NumArr);
    const yv = y.dtype === "f32" ? (y.data as Float32Array) : isPackedFloat(y.dtype) ? tensorToF32(y) : isBig(y.dtype) ? tensorToF64(y) : (y.data as NumArr);
    if (dt === "f32" || dt === "f64" || (isInteger(dt) && !isBig(dt))) {
      // Integer results truncate toward zero on the store, like numpy's cast of the float power.
      broadcast2(plan, out.data as NumArr, xv as NumArr, yv as NumArr, powRow);
      return [out];
    }
    const tmp = new Float64Array(plan.size);
    broadcast2(plan, tmp as NumArr, xv as NumArr, yv as NumArr, powRow);
    storeReals(dt, tmp, out.data);
    return [out];
  },
});

function powBigRow(o: BigInt64Array, oi: number, a: BigInt64Array, ai: number, as: number, b: BigInt64Array, bi: number, bs: number, n: number): void {
  for (let i = 0; i < n; i++, ai += as, bi += bs) o[oi + i] = powBig(a[ai]!, b[bi]!);
}

export const binaryOps = [Add, Sub, Mul, Div, Pow];
