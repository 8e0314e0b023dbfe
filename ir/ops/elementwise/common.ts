// Shared pieces of the elementwise op family: dtype sets, type rules and the evaluation glue that
// picks storage (f32 fast path, f16/bf16 widened to f32, bigint for 64-bit integers) and runs the
// broadcasting row kernels of ir/kernels/elementwise.ts.
import { isBig, isPackedFloat, type DType, type NumericArray } from "../../dtype.js";
import { dimToString, type Dim } from "../../dim.js";
import { storeReals, tensorToF32 } from "../../float-formats.js";
import { broadcastDims, broadcastShapes } from "../../shape-util.js";
import { makeTensor, tensorType, type Tensor, type TensorType } from "../../types.js";
import {
  addRow, addRowF32, bigDivRow, broadcast2, divRow, divRowF32, idivRow, imulRow, maxRow, minRow, mulRow, mulRowF32,
  planBroadcast, preluRow, subRow, subRowF32, type NumArr, type Row2,
} from "../../kernels/elementwise.js";
import { mapUnary, mapUnaryBig } from "../../kernels/elementwise-unary.js";
import type { UnaryFn } from "../../unary.js";

export const FLOATS: readonly DType[] = ["f32", "f64", "f16", "bf16"];
export const SIGNED_INTS: readonly DType[] = ["i8", "i16", "i32", "i64"];
export const UNSIGNED_INTS: readonly DType[] = ["u8", "u16", "u32", "u64"];
export const INTS: readonly DType[] = [...SIGNED_INTS, ...UNSIGNED_INTS];
export const NUMERIC: readonly DType[] = [...FLOATS, ...INTS];

function shapeText(t: TensorType): string {
  return `${t.dtype}[${t.shape.map(dimToString).join(",")}]`;
}

/** The input types, all present, or a readable error. */
export function present(op: string, inputs: readonly (TensorType | undefined)[], names: readonly string[]): TensorType[] {
  return names.map((n, i) => {
    const t = inputs[i];
    if (!t) throw new Error(`${op}: input ${n} is missing`);
    return t;
  });
}

/** Checks that every input has the same dtype and returns it. */
export function sameDtype(op: string, types: readonly TensorType[]): DType {
  const dt = types[0]!.dtype;
  for (const t of types) {
    if (t.dtype !== dt) throw new Error(`${op}: inputs must have the same dtype, got ${types.map(shapeText).join(" and ")}`);
  }
  return dt;
}

export function checkDtype(op: string, t: TensorType, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) throw new Error(`${op}: dtype ${t.dtype} is not supported (expected one of ${allowed.join(", ")})`);
}

/** Broadcast shape with the op name in the error. */
export function broadcastOf(op: string, shapes: (readonly Dim[])[]): Dim[] {
  try {
    return broadcastDims(...shapes);
  } catch (e) {
    throw new Error(`${op}: ${(e as Error).message}`);
  }
}

/** Type rule of a same-dtype broadcasting op; `out` overrides the result dtype (bool for comparisons). */
export function inferBroadcast(op: string, inputs: readonly (TensorType | undefined)[], names: readonly string[], allowed: readonly DType[], out?: DType): TensorType[] {
  const ts = present(op, inputs, names);
  const dt = sameDtype(op, ts);
  checkDtype(op, ts[0]!, allowed);
  return [tensorType(out ?? dt, broadcastOf(op, ts.map((t) => t.shape)))];
}

/** Type rule of a unary op that keeps type and shape. */
export function inferUnary(op: string, inputs: readonly (TensorType | undefined)[], allowed: readonly DType[]): TensorType[] {
  const [x] = present(op, inputs, ["X"]);
  checkDtype(op, x!, allowed);
  return [tensorType(x!.dtype, x!.shape)];
}

export function need(op: string, inputs: readonly (Tensor | undefined)[], count: number): Tensor[] {
  const out: Tensor[] = [];
  for (let i = 0; i < count; i++) {
    const t = inputs[i];
    if (!t) throw new Error(`${op}: input ${i} is missing`);
    out.push(t);
  }
  return out;
}

export type ArithOp = "Add" | "Sub" | "Mul" | "Div" | "Max" | "Min" | "PRelu";

const F32_ROWS: Partial<Record<ArithOp, Row2<Float32Array, Float32Array, Float32Array>>> = {
  Add: addRowF32, Sub: subRowF32, Mul: mulRowF32, Div: divRowF32,
};
const ROWS: Record<ArithOp, Row2<NumArr, NumArr, NumArr>> = {
  Add: addRow, Sub: subRow, Mul: mulRow, Div: divRow, Max: maxRow, Min: minRow, PRelu: preluRow,
};

/** The row kernel for op on storage of dtype dt (integer multiply and divide need their own). */
function rowFor(op: ArithOp, dt: DType): Row2<NumArr, NumArr, NumArr> {
  if (op === "Mul" && (dt === "i32" || dt === "u32")) return imulRow;
  if (op === "Div" && isBig(dt)) return bigDivRow as unknown as Row2<NumArr, NumArr, NumArr>;
  if (op === "Div" && dt !== "f32" && dt !== "f64" && !isPackedFloat(dt)) return idivRow;
  return ROWS[op];
}

/** A broadcasting arithmetic op on two tensors of the same dtype. */
export function arith(op: ArithOp, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) throw new Error(`${op}: inputs must have the same dtype, got ${a.dtype} and ${b.dtype}`);
  const dt = a.dtype;
  const shape = broadcastShapes(a.shape, b.shape);
  const plan = planBroadcast(shape, [a.shape, b.shape]);
  const out = makeTensor(dt, shape);
  if (dt === "f32") {
    const f = F32_ROWS[op];
    if (f) broadcast2(plan, out.data as Float32Array, a.data as Float32Array, b.data as Float32Array, f);
    else broadcast2(plan, out.data as NumArr, a.data as NumArr, b.data as NumArr, ROWS[op]);
    return out;
  }
  if (isPackedFloat(dt)) {
    // f16/bf16: compute in f32, round once per op.
    const tmp = new Float32Array(plan.size);
    broadcast2(plan, tmp as NumArr, tensorToF32(a) as NumArr, tensorToF32(b) as NumArr, rowFor(op, "f32"));
    storeReals(dt, tmp, out.data);
    return out;
  }
  if (dt === "string" || dt === "bool") throw new Error(`${op}: dtype ${dt} is not supported`);
  // Other numbers and bigint storage share the generic rows (see the kernel file header).
  broadcast2(plan, out.data as NumArr, a.data as NumArr, b.data as NumArr, rowFor(op, dt));
  return out;
}

/**
 * Runs a unary op's element function on any tensor it accepts: float storage through f (f16/bf16
 * widened to f32 and rounded once), 32-bit and smaller integers through f with the store's
 * wraparound, 64-bit integers through `big` where the op has it.
 */
export function unary(op: string, fn: UnaryFn<any>, a: Readonly<Record<string, any>>, x: Tensor): Tensor {
  const out = makeTensor(x.dtype, x.shape);
  if (isPackedFloat(x.dtype)) {
    const tmp = new Float32Array(x.data.length);
    mapUnary(fn.f, a, tensorToF32(x), tmp);
    storeReals(x.dtype, tmp, out.data);
    return out;
  }
  if (isBig(x.dtype)) {
    if (!fn.big) throw new Error(`${op}: dtype ${x.dtype} is not supported`);
    mapUnaryBig(fn.big, x.data as BigInt64Array, out.data as BigInt64Array);
    return out;
  }
  if (x.dtype === "string" || x.dtype === "bool") throw new Error(`${op}: dtype ${x.dtype} is not supported`);
  mapUnary(fn.f, a, x.data as NumericArray, out.data as NumericArray);
  return out;
}

/**
 * The definition parts of a broadcasting two-input op A, B -> C without attributes (arithmetic,
 * comparisons, logic): slots, accepted dtypes, the type rule and the `binary` trait; `out` as in
 * inferBroadcast.
 */
export function broadcastBinaryParts(op: string, allowed: readonly DType[], out?: DType) {
  return {
    attrs: {},
    inputs: ["A", "B"],
    outputs: ["C"],
    dtypes: allowed,
    infer: (inputs: readonly (TensorType | undefined)[]) => inferBroadcast(op, inputs, ["A", "B"], allowed, out),
    traits: { binary: true } as const,
  };
}
