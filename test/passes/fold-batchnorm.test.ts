// fold-batchnorm: what folds (numbers checked), and every reason not to fold.
import { describe, expect, it } from "vitest";
import { printGraph } from "../../ir/text/index.js";
import { expectSameNumbers, ir, ops, run } from "./helpers.js";

const params = `
  %s = const f32[2] [1.5, -0.5]
  %b = const f32[2] [0.25, 0.5]
  %m = const f32[2] [0.5, -0.5]
  %v = const f32[2] [2, 0.5]
  %w = const f32[2,2,3] [0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, 0.8, -0.9, 1, 1.1, 1.2]
  %cb = const f32[2] [1, -1]`;

/** The reasons each rule gave on the BatchNormalization named `bn`. */
function reasons(g: ReturnType<typeof ir>, bn = "y"): Record<string, string> {
  const lines: string[] = [];
  run(g, "fold-batchnorm", { explain: ["fold-batchnorm"], log: (t) => lines.push(t) });
  const line = lines.join("").split("\n").find((l) => l.startsWith(`BatchNormalization ${bn}:`)) ?? "";
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(into-[a-z-]+): ([^;]*?)(?=; into-|\)$)/g)) out[m[1]!] = m[2]!;
  return out;
}

describe("fold-batchnorm", () => {
  it("folds into a Conv with a bias, with symbolic time and stride", () => {
    const g = ir(`graph @g(%x: f32[2,2,T]) -> (%y) {${params}
  %c = Conv(%x, %w, %cb) {pads=[1, 1], strides=[2]}
  %y = BatchNormalization(%c, %s, %b, %m, %v) {epsilon=0.01}
}`);
    const out = run(g, "fold-batchnorm");
    expect(ops(out)).toEqual(["Conv"]);
    expect(printGraph(out)).toContain("%y = Conv(%x, %w.folded, %cb.folded) {pads=[1, 1], strides=[2]}");
    expectSameNumbers(g, out);
  });

  it("folds into a Gemm without C (transB=0) and creates the bias", () => {
    const g = ir(`graph @g(%x: f32[3,4]) -> (%y) {${params}
  %wg = const f32[4,2] [0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, 0.8]
  %c = Gemm(%x, %wg) {alpha=0.5}
  %y = BatchNormalization(%c, %s, %b, %m, %v)
}`);
    const out = run(g, "fold-batchnorm");
    expect(printGraph(out)).toContain("%y = Gemm(%x, %wg.folded, %c.bias) {alpha=0.5, beta=1.0}");
    expectSameNumbers(g, out);
  });

  it("folds into a Gemm whose C varies by row", () => {
    const g = ir(`graph @g(%x: f32[3,4]) -> (%y) {${params}
  %wg = const f32[2,4] [0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7, 0.8]
  %cc = const f32[3,1] [1, 2, 3]
  %c = Gemm(%x, %wg, %cc) {beta=2.0, transB=1}
  %y = BatchNormalization(%c, %s, %b, %m, %v)
}`);
    const out = run(g, "fold-batchnorm");
    expect(out.types["cc.folded"]!.shape).toEqual([3, 2]);
    expectSameNumbers(g, out);
  });

  it("declines with a reason for each way folding could go wrong", () => {
    const trained = ir(`graph @g(%x: f32[1,2,T]) -> (%y) {${params}
  %c = Conv(%x, %w, %cb)
  %y = BatchNormalization(%c, %s, %b, %m, %v) {training_mode=1}
}`);
    expect(reasons(trained)["into-producer"]).toBe("training_mode=1 (batch statistics are not known in advance)");

    const dynamicWeight = ir(`graph @g(%x: f32[1,2,T], %wx: f32[2,2,3]) -> (%y) {${params}
  %c = Conv(%x, %wx)
  %y = BatchNormalization(%c, %s, %b, %m, %v)
}`);
    expect(reasons(dynamicWeight)["into-producer"]).toBe("input 1 of Conv c is not a constant");

    const fused = ir(`graph @g(%x: f32[1,2,T]) -> (%y) {${params}
  %c = Conv(%x, %w) {activation="Relu"}
  %y = BatchNormalization(%c, %s, %b, %m, %v)
}`);
    expect(reasons(fused)["into-producer"]).toBe(`Conv c has a fused Relu before the BatchNormalization`);

    const shared = ir(`graph @g(%x: f32[1,2,T]) -> (%y, %z) {${params}
  %c = Conv(%x, %w)
  %y = BatchNormalization(%c, %s, %b, %m, %v)
  %z = Relu(%c)
}`);
    expect(reasons(shared)).toEqual({ "into-producer": "%c (the Conv output) has 2 uses", "into-following-conv": "%y is a graph output" });

    const dynamicStats = ir(`graph @g(%x: f32[1,2,T], %mx: f32[2]) -> (%y) {${params}
  %c = Conv(%x, %w)
  %y = BatchNormalization(%c, %s, %b, %mx, %v)
}`);
    expect(reasons(dynamicStats)["into-producer"]).toBe("its mean is not a constant");

    const padded = ir(`graph @g(%x: f32[1,2,T]) -> (%y) {${params}
  %n = BatchNormalization(%x, %s, %b, %m, %v)
  %y = Conv(%n, %w) {pads=[1, 1]}
}`);
    expect(reasons(padded, "n")["into-following-conv"]).toBe("the following Conv pads its input and the BatchNormalization shift is not zero (the padding would see 0, not the shift)");

    const mm3d = ir(`graph @g(%x: f32[1,2,3]) -> (%y) {${params}
  %wm = const f32[3,2] [1, 2, 3, 4, 5, 6]
  %c = MatMul(%x, %wm)
  %y = BatchNormalization(%c, %s, %b, %m, %v)
}`);
    expect(reasons(mm3d)["into-producer"]).toBe("only a 2-D MatMul x[N,K].W[K,M] has its features on the BatchNormalization's channel axis");
  });

  it("folds into a padded following Conv when the shift is zero", () => {
    const g = ir(`graph @g(%x: f32[1,2,T]) -> (%y) {${params}
  %zero = const f32[2] [0, 0]
  %n = BatchNormalization(%x, %s, %zero, %zero, %v)
  %y = Conv(%n, %w, %cb) {pads=[1, 1]}
}`);
    const out = run(g, "fold-batchnorm");
    expect(ops(out)).toEqual(["Conv"]);
    expectSameNumbers(g, out);
  });
});
