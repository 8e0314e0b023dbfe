// Einsum's C loop nest (codegen/kernels/einsum.ts) against the interpreter on every float rig:
// attention's batched products with a symbolic T, projections, an outer product, transposes,
// sums, a trace and a diagonal, "..." broadcasting a size-1 dim, three operands, the implicit
// output, and int32/int64. compileGraph runs no canonicalize, so the loop nest itself runs here.
import { describe } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkGraph, itOnRigs } from "./helpers.js";

const g = parseGraph(`graph @g(%q: f32[2,3,T,4], %k: f32[2,3,T,4], %a: f32[1,T,5], %w: f32[5,6], %m: f32[4,4], %u: f32[3], %v: f32[4], %x3: f32[2,1,5], %i: i32[3,4], %j: i64[4,2]) -> (%s, %o, %p, %op, %tr, %sm, %tc, %dg, %bc, %three, %imp, %ii, %jj) {
  %s = Einsum(%q, %k) {equation="bhtd,bhsd->bhts"}
  %o = Einsum(%s, %k) {equation="bhts,bhsd->bhtd"}
  %p = Einsum(%a, %w) {equation="btc,cd->btd"}
  %op = Einsum(%u, %v) {equation="i,j->ij"}
  %tr = Einsum(%q) {equation="bhtd->bdth"}
  %sm = Einsum(%a) {equation="btc->c"}
  %tc = Einsum(%m) {equation="ii"}
  %dg = Einsum(%m) {equation="ii->i"}
  %bc = Einsum(%x3, %a) {equation="...c,...tc->...t"}
  %three = Einsum(%u, %m, %v) {equation="i,jk,k->ij"}
  %imp = Einsum(%a, %w) {equation="btc,cd"}
  %ii = Einsum(%i, %i) {equation="ij,ij->i"}
  %jj = Einsum(%j, %j) {equation="ab,ab->ba"}
}`);

const rng = new Rng(83);
const rand = (shape: number[]): Tensor => seededTensor(rng, "f32", shape, { values: { min: -1, max: 1 } });
const ints = (dt: "i32" | "i64", shape: number[]) => fromNumbers(dt, shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.int(-50, 50)));
const sets = [3, 8].map((T) => ({
  q: rand([2, 3, T, 4]), k: rand([2, 3, T, 4]), a: rand([1, T, 5]), w: rand([5, 6]), m: rand([4, 4]), u: rand([3]), v: rand([4]),
  x3: rand([2, 1, 5]), i: ints("i32", [3, 4]), j: ints("i64", [4, 2]),
}));

describe("Einsum in C", () => {
  itOnRigs(ALL_RIGS.filter(([t]) => t !== "aarch64+dotprod"), (target, rig) => {
    checkGraph(g, target, rig, sets, { maxDims: { T: 8 }, tol: 1e-5 });
  });
});
