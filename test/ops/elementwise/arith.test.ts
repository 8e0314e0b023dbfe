// Add, Sub, Mul, Div, Pow: values per dtype (C-like integer semantics, exact int64, f16 via f32),
// type rules with symbolic dims, and the folding of shape arithmetic on symbolic dims.
import { describe, expect, it } from "vitest";
import { dimToString, parseDim, type Dim } from "../../../ir/dim.js";
import { big, fold, infer, nums, raw, run, t, ty } from "./helpers.js";

const T = parseDim("T");
const bigs = (x: { data: unknown }) => Array.from(x.data as BigInt64Array);

describe("arithmetic values", () => {
  it("computes f32 with broadcasting", () => {
    const x = t("f32", [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(nums(run("Add", [x, t("f32", [3], [10, 20, 30])]))).toEqual([11, 22, 33, 14, 25, 36]);
    expect(nums(run("Sub", [x, t("f32", [2, 1], [1, 2])]))).toEqual([0, 1, 2, 2, 3, 4]);
    expect(nums(run("Mul", [t("f32", [], [2]), x]))).toEqual([2, 4, 6, 8, 10, 12]);
    expect(nums(run("Div", [x, t("f32", [], [4])]))).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5]);
    expect(nums(run("Div", [t("f32", [3], [1, -1, 0]), t("f32", [], [0])]))).toEqual([Infinity, -Infinity, NaN]);
  });
  it("rounds f32 results to f32", () => {
    const r = run("Add", [t("f32", [1], [0.1]), t("f32", [1], [0.2])]);
    expect(r.data[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
  });
  it("divides integers truncating toward zero, as C", () => {
    expect(nums(run("Div", [t("i32", [4], [-7, 7, -7, 7]), t("i32", [4], [2, -2, -2, 2])]))).toEqual([-3, -3, 3, 3]);
    expect(nums(run("Div", [t("u8", [2], [250, 7]), t("u8", [2], [3, 2])]))).toEqual([83, 3]);
    expect(nums(run("Div", [t("i32", [1], [-2147483648]), t("i32", [1], [-1])]))).toEqual([-2147483648]);
    expect(bigs(run("Div", [big("i64", [3], [-7n, 9223372036854775807n, 5n]), big("i64", [3], [2n, 3n, 0n])]))).toEqual([-3n, 3074457345618258602n, 0n]);
  });
  it("wraps integer overflow", () => {
    expect(nums(run("Add", [t("i8", [2], [127, -128]), t("i8", [2], [1, -1])]))).toEqual([-128, 127]);
    expect(nums(run("Mul", [t("u8", [2], [16, 200]), t("u8", [2], [16, 2])]))).toEqual([0, 144]);
    expect(nums(run("Mul", [t("i32", [2], [65536, 46341]), t("i32", [2], [65536, 46341])]))).toEqual([0, -2147479015]);
    expect(nums(run("Mul", [t("u32", [1], [4294967295]), t("u32", [1], [4294967295])]))).toEqual([1]);
    expect(nums(run("Sub", [t("u16", [1], [0]), t("u16", [1], [1])]))).toEqual([65535]);
  });
  it("keeps all 64 bits of int64 and uint64", () => {
    const a = big("i64", [2], [4611686018427387904n, 9007199254740993n]);
    expect(bigs(run("Add", [a, a]))).toEqual([-9223372036854775808n, 18014398509481986n]);
    expect(bigs(run("Mul", [a, big("i64", [], [3n])]))).toEqual([-4611686018427387904n, 27021597764222979n]);
    expect(Array.from(run("Sub", [big("u64", [1], [0n]), big("u64", [1], [1n])]).data as BigUint64Array)).toEqual([18446744073709551615n]);
    expect(bigs(run("Max", [a, big("i64", [1], [5000000000000000000n])]))).toEqual([5000000000000000000n, 5000000000000000000n]);
  });
  it("computes f16 and bf16 through f32 and rounds once", () => {
    const r = run("Add", [t("f16", [3], [1, 65504, 0.1]), t("f16", [3], [2 ** -11, 32, 0.2])]);
    expect(r.dtype).toBe("f16");
    // 1 + 2^-11 ties to 1; 65536 is past the Inf threshold 65520; f16(0.1) + f16(0.2) is a tie, to even.
    expect(raw(r.data)).toEqual([0x3c00, 0x7c00, 0x34cc]);
    expect(nums(run("Mul", [t("bf16", [1], [3]), t("bf16", [1], [1.5])]))).toEqual([4.5]);
  });
  it("rejects mixed dtypes and non-broadcastable shapes", () => {
    expect(() => run("Add", [t("f32", [1], [1]), t("i32", [1], [1])])).toThrow(/same dtype/);
    expect(() => infer("Add", [ty("f32", [3]), ty("f64", [3])])).toThrow(/Add: inputs must have the same dtype/);
    expect(() => infer("Mul", [ty("f32", [2, 3]), ty("f32", [4])])).toThrow(/Mul: shapes \[2,3\] and \[4\] do not broadcast/);
    expect(() => infer("Sub", [ty("string", [3]), ty("string", [3])])).toThrow(/dtype string is not supported/);
  });
  it("infers symbolic broadcast shapes", () => {
    const r = infer("Add", [ty("f32", [1, 64, T]), ty("f32", [64, 1])]);
    expect(r.shape.map(dimToString)).toEqual(["1", "64", "T"]);
  });
});

describe("Pow", () => {
  it("mixes base and exponent types like the ONNX tests", () => {
    expect(nums(run("Pow", [t("f32", [3], [1, 2, 3]), t("i32", [3], [4, 5, 6])]))).toEqual([1, 32, 729]);
    expect(nums(run("Pow", [t("f32", [3], [1, 2, 3]), big("u64", [3], [4n, 5n, 6n])]))).toEqual([1, 32, 729]);
    const ri = run("Pow", [t("i32", [3], [1, 2, 3]), t("f32", [3], [4, 5, 6])]);
    expect(ri.dtype).toBe("i32");
    expect(nums(ri)).toEqual([1, 32, 729]);
    expect(bigs(run("Pow", [big("i64", [3], [1n, 2n, 3n]), t("f32", [3], [4, 5, 6])]))).toEqual([1n, 32n, 729n]);
    expect(nums(run("Pow", [t("f32", [2, 3], [1, 2, 3, 4, 5, 6]), t("f32", [], [2])]))).toEqual([1, 4, 9, 16, 25, 36]);
  });
  it("computes int64 powers exactly and truncates negative exponents", () => {
    expect(bigs(run("Pow", [big("i64", [3], [3n, -2n, 2n]), big("i64", [3], [39n, 3n, -1n])]))).toEqual([4052555153018976267n, -8n, 0n]);
    expect(bigs(run("Pow", [big("i64", [2], [1n, -1n]), big("i64", [2], [-5n, -5n])]))).toEqual([1n, -1n]);
    expect(nums(run("Pow", [t("i32", [2], [2, 7]), t("f32", [2], [-1, 0.5])]))).toEqual([0, 2]);
  });
  it("keeps the base dtype and rejects bad exponent types", () => {
    expect(infer("Pow", [ty("f16", [T]), ty("i64", [1])])).toEqual(ty("f16", [T]));
    expect(() => infer("Pow", [ty("f32", [2]), ty("bool", [2])])).toThrow(/Pow: dtype bool is not supported/);
    expect(nums(run("Pow", [t("f16", [2], [2, 0.5]), t("f16", [2], [10, 2])]))).toEqual([1024, 0.25]);
  });
});

describe("folding shape arithmetic on symbolic dims", () => {
  const str = (r: (readonly Dim[] | undefined)[] | undefined) => r?.[0]?.map(dimToString);
  const v1 = ty("i64", [1]), s0 = ty("i64", []);
  it("adds, subtracts and multiplies dims with broadcasting", () => {
    expect(str(fold("Add", [[T], [1]], [v1, v1]))).toEqual(["T+1"]);
    expect(str(fold("Sub", [[T, 64], [1]], [ty("i64", [2]), s0]))).toEqual(["T-1", "63"]);
    expect(str(fold("Mul", [[2], [T, 3]], [s0, ty("i64", [2])]))).toEqual(["2*T", "6"]);
    expect(fold("Mul", [[T], [T]], [v1, v1])).toBeUndefined();
    expect(fold("Add", [[T], undefined], [v1, v1])).toBeUndefined();
  });
  it("divides integer dims by positive constants with floorDivDim", () => {
    expect(str(fold("Div", [[T], [2]], [v1, v1]))).toEqual(["floor(T/2)"]);
    expect(str(fold("Div", [[parseDim("T+1")], [2]], [v1, v1]))).toEqual(["floor((T+1)/2)"]);
    expect(str(fold("Div", [[-7, 7], [2]], [ty("i64", [2]), s0]))).toEqual(["-3", "3"]);
    expect(fold("Div", [[T], [0]], [v1, v1])).toBeUndefined();
    expect(fold("Div", [[T], [-2]], [v1, v1])).toBeUndefined();
    expect(fold("Div", [[2], [T]], [v1, v1])).toBeUndefined();
  });
  it("divides float vectors only when exact", () => {
    const f1 = ty("f32", [1]);
    expect(str(fold("Div", [[parseDim("2*T")], [2]], [f1, f1]))).toEqual(["T"]);
    expect(fold("Div", [[T], [2]], [f1, f1])).toBeUndefined();
    expect(fold("Div", [[5], [2]], [f1, f1])).toEqual([[2.5]]);
    expect(fold("Add", [[T], [0.5]], [f1, f1])).toBeUndefined();
  });
  it("casts dim vectors: symbols survive wide integer and float targets", () => {
    expect(str(fold("Cast", [[T, 3]], [ty("i64", [2])], { to: "f32" }))).toEqual(["T", "3"]);
    expect(str(fold("Cast", [[T]], [v1], { to: "i32" }))).toEqual(["T"]);
    expect(fold("Cast", [[T]], [v1], { to: "i8" })).toBeUndefined();
    expect(fold("Cast", [[T]], [v1], { to: "bool" })).toBeUndefined();
    expect(fold("Cast", [[2.7, -2.7, 0]], [ty("f32", [3])], { to: "i64" })).toEqual([[2, -2, 0]]);
    expect(fold("Cast", [[3, 0]], [ty("i64", [2])], { to: "bool" })).toEqual([[1, 0]]);
    expect(str(fold("CastLike", [[T], undefined], [v1, ty("f32", [])]))).toEqual(["T"]);
  });
});
