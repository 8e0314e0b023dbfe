// graphMacs (src/adapters/inspect/macs.ts): a count that is not linear in the dims (a batch N
// times time T) is counted on the shapes at the given dims, and agrees with the symbolic count
// of the same layer at static shapes; over random sizes (fast-check).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import "../../../ir/ops/index.js";
import { parseGraph } from "../../../ir/text/index.js";
import { graphMacs, layerAt, totalAt } from "../../../src/adapters/inspect/macs.js";

const zeros = (n: number) => `[${new Array<number>(n).fill(0).join(", ")}]`;
const graph = (x: string, K: number, H: number) => parseGraph(`graph @g(%x: f32[${x},${K}]) -> (%y, %yh) {
  %W = const f32[1,${3 * H},${K}] ${zeros(3 * H * K)}
  %R = const f32[1,${3 * H},${H}] ${zeros(3 * H * H)}
  %y, %yh = GRU(%x, %W, %R) {hidden_size=${H}, layout=1}
}`);

describe("MAC counts with a symbolic batch and time", () => {
  it("are the static shape's count at the given dims", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (N, T, K, H) => {
      const sym = graphMacs(graph("N,T", K, H), { N, T });
      const fixed = graphMacs(graph(`${N},${T}`, K, H));
      expect(sym.layers[0]!.macs).toBeUndefined();
      expect(layerAt(sym.layers[0]!, { N, T })).toBe(fixed.layers[0]!.macs);
      expect(totalAt(sym, { N, T })).toBe(fixed.total);
      // Without N: no count, and no total.
      const some = graphMacs(graph("N,T", K, H), { T });
      expect(some.layers[0]!.needsDims).toBe(true);
      expect(totalAt(some, { T })).toBeUndefined();
    }), { numRuns: 40 });
  });
});
