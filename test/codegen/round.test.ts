// ONNX Round (halves to even) in C on every rig, bit for bit with the interpreter: the halves
// either side of zero (where rounding away from zero, or up, would differ), -0.5 -> -0, the
// largest float below 0.5, values at and above 2^23 (already integers), infinities and NaN, in a
// length with a vector tail. The NEON form is vrndnq_f32 (aarch64, and wasm32 through SIMDe);
// scalar C and armv7 use nearbyintf under the default rounding mode.
import { describe, expect, it } from "vitest";
import "../../ir/ops/index.js";
import { buildModel, runBuild } from "../../codegen/build.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { getTarget } from "../../ir/target.js";
import { makeTensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { GraphBuilder } from "../../src/testing/graph-builder.js";
import { ALL_RIGS, itOnRigs } from "./helpers.js";

const X = Float32Array.from([
  -4.5, -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, -0, 0, 0.49999997, -0.49999997, 1.4999999, 2.5000002,
  8388607.5, 8388608, 8388609, -8388609, 1e30, -1e30, Infinity, -Infinity, NaN, 0.7, -0.7, 123.456, -9.5,
]);

const b = new GraphBuilder("round");
const x = b.input("x", { dtype: "f32", shape: [X.length] });
const [y] = b.node("Round", [x], {}, "y");
const graph = b.build([x], [y!]);
const inputs = { x: makeTensor("f32", [X.length], X.slice()) };

describe("Round in C", () => {
  it("the interpreter rounds halves to even, -0.5 to -0", () => {
    const r = Array.from(runGraph(graph, inputs).y!.data as Float32Array);
    expect(r.slice(0, 10)).toEqual([-4, -4, -2, -2, -0, 0, 2, 2, 4, 4]);
    expect(Object.is(r[4], -0)).toBe(true);
    expect(r.slice(12, 20)).toEqual([0, -0, 1, 3, 8388608, 8388608, 8388609, -8388609]);
  });
  itOnRigs(ALL_RIGS, (target, rig) => {
    const ref = runGraph(graph, inputs).y!.data as Float32Array;
    const model = compileGraph(graph, { target: getTarget(target) });
    const got = runBuild(model, buildModel(model, rig), inputs).outputs.y!.data as Float32Array;
    // Same bits, so -0 against 0 and NaN against NaN count too.
    expect(Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length))).toEqual(Array.from(new Uint32Array(ref.buffer, ref.byteOffset, ref.length)));
  }, "the interpreter's bits on");
});
