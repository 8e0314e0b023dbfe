// Output shape of numpy-style matmul (used by MatMulInteger and QLinearMatMul).
//
// 1-D operands get a unit dim added (A in front, B behind) that is dropped again from the
// result; leading batch dims broadcast. Symbolic dims are compared exactly.
import { dimEquals, dimToString, type Dim } from "../../dim.js";
import { broadcastDims } from "../../shape-util.js";
import type { TensorType } from "../../types.js";
import { dimProduct } from "./dim-product.js";

export function matmulShape(a: readonly Dim[], b: readonly Dim[], op: string): Dim[] {
  if (a.length === 0 || b.length === 0) throw new Error(`${op} inputs must have rank >= 1`);
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = a2[a2.length - 1]!;
  const k2 = b2[b2.length - 2]!;
  if (!dimEquals(k1, k2)) {
    throw new Error(`${op}: A [${a.map(dimToString).join(",")}] and B [${b.map(dimToString).join(",")}] have different inner dims (${dimToString(k1)} vs ${dimToString(k2)})`);
  }
  const batch = broadcastDims(a2.slice(0, -2), b2.slice(0, -2));
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return out;
}

/** MACs of a matmul: every output element takes K products (K = A's last dim). */
export function matmulMacs(a: TensorType, y: TensorType): Dim {
  return dimProduct([...y.shape, a.shape[a.shape.length - 1]!]);
}
