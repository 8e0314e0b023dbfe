import { it } from "vitest";
import { getOp } from "../../../ir/registry.js";
import { resolveAttrs } from "../../../ir/op.js";
import { fromNumbers } from "../../../ir/types.js";
import "../../../ir/ops/index.js";
it("bench", () => {
  const rnd = (n: number) => Array.from({ length: n }, () => Math.random() * 0.2 - 0.1);
  const H = 256, T = 291;
  const def = getOp("LSTM");
  for (const [I, dir] of [[64, "forward"], [256, "forward"], [64, "bidirectional"]] as const) {
    const D = dir === "forward" ? 1 : 2;
    const X = fromNumbers("f32", [T, 1, I], rnd(T * I));
    const W = fromNumbers("f32", [D, 4 * H, I], rnd(D * 4 * H * I));
    const R = fromNumbers("f32", [D, 4 * H, H], rnd(D * 4 * H * H));
    const B = fromNumbers("f32", [D, 8 * H], rnd(D * 8 * H));
    const a = resolveAttrs(def, { hidden_size: H, direction: dir });
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      def.evaluate([X, W, R, B], a, { numOutputs: 3 });
      console.log(I, dir, "ms", (performance.now() - t0).toFixed(1));
    }
  }
});
