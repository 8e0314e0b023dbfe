// Cast and CastLike: every dtype pair, the ONNX conversion rules (truncation, wraparound, bool,
// strings, float8 saturation), import of the `to` attribute, and the bfloat16 backend vectors
// (whose .pb files label the bf16 data as uint16, so the conformance suite cannot compare them).
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DTYPES, type DType } from "../../../ir/dtype.js";
import { readTensorFile } from "../../../src/adapters/onnx/tensor.js";
import { sharedPath } from "../../helpers/shared.js";
import { big, importNode, infer, nums, raw, run, strings, t, ty } from "./helpers.js";

const cast = (x: Parameters<typeof run>[1][0], to: DType, saturate = 1) => run("Cast", [x], { to, saturate });

describe("Cast between every pair of dtypes", () => {
  const numeric = DTYPES.filter((d) => d !== "string");
  it("keeps values every type can hold", () => {
    for (const from of numeric) {
      for (const to of numeric) {
        const src = t(from, [3], [0, 1, 3]);
        const want = to === "bool" || from === "bool" ? [0, 1, 1] : [0, 1, 3];
        const r = cast(src, to);
        expect(r.dtype).toBe(to);
        expect(nums(r), `${from} -> ${to}`).toEqual(want);
      }
      expect(cast(t(from, [3], [0, 1, 3]), "string").data, `${from} -> string`).toHaveLength(3);
    }
  });
});

describe("Cast rules", () => {
  it("truncates floats toward zero and wraps integers", () => {
    expect(nums(cast(t("f32", [4], [2.9, -2.9, NaN, 0.5]), "i32"))).toEqual([2, -2, 0, 0]);
    expect(nums(cast(t("i16", [2], [200, -129]), "i8"))).toEqual([-56, 127]);
    expect(nums(cast(t("i32", [2], [-1, 256]), "u8"))).toEqual([255, 0]);
    expect(nums(cast(big("i64", [2], [4294967301n, -1n]), "i32"))).toEqual([5, -1]);
    expect(nums(cast(big("i64", [1], [-1n]), "u16"))).toEqual([65535]);
    expect(raw(cast(big("u64", [1], [18446744073709551615n]), "i64").data)).toEqual([-1n]);
    expect(raw(cast(t("f64", [2], [-3.5, 1e15]), "i64").data)).toEqual([-3n, 1000000000000000n]);
    expect(raw(cast(t("i32", [1], [-1]), "u64").data)).toEqual([18446744073709551615n]);
  });
  it("maps to and from bool", () => {
    expect(nums(cast(t("f32", [4], [0, -0, NaN, 0.1]), "bool"))).toEqual([0, 0, 1, 1]);
    expect(nums(cast(big("i64", [2], [0n, 2n ** 40n]), "bool"))).toEqual([0, 1]);
    expect(nums(cast(t("bool", [2], [1, 0]), "f16"))).toEqual([1, 0]);
  });
  it("rounds floats to nearest even, f32 -> bf16 by truncation as the ONNX reference", () => {
    expect(nums(cast(t("f64", [2], [0.1, 1e40]), "f32"))).toEqual([Math.fround(0.1), Infinity]);
    expect(raw(cast(t("f32", [2], [1 + 2 ** -11, 70000]), "f16").data)).toEqual([0x3c00, 0x7c00]);
    expect(raw(cast(t("f32", [1], [0.48033666610717773]), "bf16").data)).toEqual([0x3ef5]);
    expect(nums(cast(t("f8e5m2", [2], [57344, -0.5]), "f16"))).toEqual([57344, -0.5]);
  });
  it("applies the float8 saturate attribute", () => {
    expect(raw(cast(t("f32", [3], [1e6, -Infinity, 0.5]), "f8e4m3fn").data)).toEqual([0x7e, 0xfe, 0x30]);
    expect(raw(cast(t("f32", [3], [1e6, -Infinity, 0.5]), "f8e4m3fn", 0).data)).toEqual([0x7f, 0xff, 0x30]);
    expect(raw(cast(t("f16", [1], [65504]), "f8e5m2", 0).data)).toEqual([0x7c]);
    expect(raw(cast(t("f8e4m3fn", [1], [448]), "f8e4m3fnuz", 1).data)).toEqual([0x7f]);
  });
  it("parses strings and prints numbers like numpy", () => {
    const s = strings([7], ["0.47892547", "1e-5", "1E8", "INF", "-inf", "+INF", "NaN"]);
    const f = nums(cast(s, "f32"));
    expect(f.slice(0, 6)).toEqual([Math.fround(0.47892547), Math.fround(1e-5), 1e8, Infinity, -Infinity, Infinity]);
    expect(Number.isNaN(f[6])).toBe(true);
    expect(raw(cast(strings([2], ["9007199254740993", "-12"]), "i64").data)).toEqual([9007199254740993n, -12n]);
    expect(nums(cast(strings([2], ["100.5", "-7"]), "i32"))).toEqual([100, -7]);
    expect(nums(cast(strings([3], ["0", "1", "True"]), "bool"))).toEqual([0, 1, 1]);
    expect(cast(t("f32", [4], [0.47892547, 3, 1e20, NaN]), "string").data).toEqual(["0.47892547", "3.0", "1e+20", "nan"]);
    expect(cast(t("f16", [1], [0.1]), "string").data).toEqual(["0.1"]);
    expect(cast(big("i64", [1], [-9007199254740993n]), "string").data).toEqual(["-9007199254740993"]);
    expect(cast(t("bool", [2], [1, 0]), "string").data).toEqual(["True", "False"]);
    const same = t("f32", [1], [1]);
    expect(cast(same, "f32")).toBe(same);
  });
  it("infers the target type", () => {
    expect(infer("Cast", [ty("f32", [2, 3])], { to: "i64" })).toEqual(ty("i64", [2, 3]));
    expect(() => infer("Cast", [ty("f32", [2])], { to: "float" })).toThrow(/unknown target dtype "float"/);
    expect(infer("CastLike", [ty("f32", [2]), ty("f16", [])])).toEqual(ty("f16", [2]));
    expect(nums(run("CastLike", [t("f32", [2], [1.5, -2.5]), t("i32", [], [0])]))).toEqual([1, -2]);
  });
});

describe("Cast import", () => {
  it("maps the ONNX `to` number (or the old string form) to an IR dtype", () => {
    expect(importNode("Cast", ["x"], ["y"], { to: 1 })).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { to: "f32" } });
    expect(importNode("Cast", ["x"], ["y"], { to: 17, saturate: 0 }, { opset: 19 })).toEqual({ inputs: ["x"], outputs: ["y"], attrs: { to: "f8e4m3fn", saturate: 0 } });
    expect(importNode("Cast", ["x"], ["y"], { to: "INT64" }).attrs).toEqual({ to: "i64" });
    expect(() => importNode("Cast", ["x"], ["y"], { to: 14 })).toThrow(/not supported/);
    expect(() => importNode("Cast", ["x"], ["y"], {})).toThrow(/needs an integer "to"/);
  });
  it("imports CastLike as a Cast to the target's dtype", () => {
    expect(importNode("CastLike", ["x", "like"], ["y"], { saturate: 0 }, { opset: 19, types: { like: ty("f16", [1]) } }))
      .toEqual({ op: "Cast", inputs: ["x"], outputs: ["y"], attrs: { saturate: 0, to: "f16" } });
  });
});

describe("bfloat16 backend vectors", () => {
  const root = sharedPath("onnx-backend-tests");
  it.runIf(root)("match bit for bit", () => {
    const dir = (name: string) => path.join(root!, name, "test_data_set_0");
    const to = dir("test_cast_FLOAT_to_BFLOAT16");
    expect(existsSync(to)).toBe(true);
    const x = readTensorFile(path.join(to, "input_0.pb")).tensor;
    const want = readTensorFile(path.join(to, "output_0.pb")).tensor; // bf16 bits labelled uint16
    expect(raw(cast(x, "bf16").data)).toEqual(raw(want.data));
    const from = dir("test_cast_BFLOAT16_to_FLOAT");
    const bits = readTensorFile(path.join(from, "input_0.pb")).tensor;
    const expected = readTensorFile(path.join(from, "output_0.pb")).tensor;
    const got = cast({ ...bits, dtype: "bf16" }, "f32");
    expect(nums(got)).toEqual(nums(expected));
  });
});
