// compileModel's `winograd` option: the winograd pass `neonc compile --winograd` adds runs before
// the code-generation stages (so bench:arm and other library users can compile as the CLI does);
// off or absent leaves the convolution direct.
import { describe, expect, it } from "vitest";
import { compileModel } from "../../codegen/compile-model.js";
import { parseGraph } from "../../ir/text/index.js";
import type { Tensor } from "../../ir/types.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { constLine } from "./helpers.js";

const rng = new Rng(5);
const rand = (shape: number[]): Tensor => seededTensor(rng, "f32", shape, { values: { min: -1, max: 1 } });

const g = parseGraph(`graph @g(%x: f32[1,8,T]) -> (%y) {
${constLine("w", rand([12, 8, 3]))}
  %y = Conv(%x, %w) {pads=[1, 1]}
}`);

describe("compileModel's winograd option", () => {
  const ops = (winograd?: "off" | "auto" | 2 | 4 | 6) =>
    compileModel(g, { target: "aarch64", maxDims: { T: 64 }, log: () => {}, ...(winograd === undefined ? {} : { winograd }) }).graph.nodes.map((n) => n.op);
  it("runs the winograd pass with the tile asked for", () => {
    expect(ops(4)).toContain("ConvWinograd");
    expect(ops(2)).toContain("ConvWinograd");
  });
  it("adds nothing when off or absent", () => {
    expect(ops("off")).not.toContain("ConvWinograd");
    expect(ops()).not.toContain("ConvWinograd");
  });
});
