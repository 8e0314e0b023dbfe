// The int8 GEMM of the integer kernels (codegen/kernels/qint-gemm.ts) at the edges of its
// register blocks, on every rig: QMatMul nodes whose depth K takes each path (16-deep steps, the
// 8-deep step, the scalar tail), whose output count is not a multiple of 4 (zero-padded weight
// rows) and whose row count T gives 4-, 2- and 1-column blocks. Weights with no -128 take the
// int16 pair path, weights with -128 the single one; activations at -128 and weights at
// +-127/-128 put the int16 lanes at their bound (2 * 127 * 128 = 32512 in a pair, 16384 alone),
// so a pair taken where it overflows shows. Requantized to int16 by 2^-ceil(log2 K), the
// outputs keep every accumulator to within a few bits: a wrapped lane (65536) or a lost or
// doubled product changes them. Every output must equal the interpreter's byte for byte.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const next = randomSource(77);
/** int8 values with many extremes: a third at lo or hi, the rest uniform in [lo, hi]. */
const int8s = (r: () => number, n: number, lo: number, hi: number) =>
  Array.from({ length: n }, () => {
    const u = r();
    return u < 0.17 ? lo : u < 0.34 ? hi : lo + Math.floor(r() * (hi - lo + 1));
  });

const DEPTHS = [8, 16, 24, 37, 40, 173];
const M = 13;

function node(K: number, safe: boolean): { consts: string[]; line: string; out: string } {
  const id = `k${K}${safe ? "p" : "s"}`;
  // The last column of the unsafe weights is all -128: with x = -128 every pair would overflow.
  const w = int8s(next, K * M, safe ? -127 : -128, 127).map((v, i) => (!safe && i % M === M - 1 ? -128 : v));
  const b = Array.from({ length: M }, () => Math.floor(next() * 20001) - 10000);
  const shift = -Math.ceil(Math.log2(K)) + 1;
  return {
    consts: [`  %w${id} = const i8[${K},${M}] [${w.join(", ")}]`, `  %b${id} = const i32[${M}] [${b.join(", ")}]`],
    line: `  %y${id} = QMatMul(%x${K}, %w${id}, %b${id}) {x_zero_point=${safe ? 0 : 3}, multiplier=[${new Array<number>(M).fill(2 ** 30).join(", ")}], shift=[${new Array<number>(M).fill(shift).join(", ")}], rounding="gemmlowp", out_dtype="i16"}`,
    out: `y${id}`,
  };
}

const nodes = DEPTHS.flatMap((K) => [node(K, true), node(K, false)]);
const text = `graph @g(${DEPTHS.map((K) => `%x${K}: i8[T,${K}]`).join(", ")}) -> (${nodes.map((n) => `%${n.out}`).join(", ")}) {
${nodes.flatMap((n) => n.consts).join("\n")}
${nodes.map((n) => n.line).join("\n")}
}`;
const g = parseGraph(text);

function inputs(T: number, seed: number, allMin = false): Record<string, Tensor> {
  const r = randomSource(seed);
  return Object.fromEntries(DEPTHS.map((K) => [`x${K}`, fromNumbers("i8", [T, K], allMin ? new Array<number>(T * K).fill(-128) : int8s(r, T * K, -128, 127))]));
}
// T = 7: one 4-, one 2- and one 1-column block; 13: three 4-column blocks and a 1-column one; 2.
const SETS = [inputs(7, 1), inputs(13, 2), inputs(2, 3), inputs(5, 4, true)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("the int8 GEMM matches the interpreter at its block edges", () => {
  // Beyond the five rigs, dotprod and armv7 through SIMDe too: the GEMM's block paths differ per target.
  const rigs = [...ALL_RIGS, ["aarch64+dotprod", "simde"], ["armv7", "simde"]] as const;
  itOnRigs(rigs, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 16 } }));

  it("the outputs are not clamped and the all -128 input reaches the int16 pair bound", () => {
    for (const ref of REFS) {
      for (const o of g.outputs) {
        const y = Array.from(ref[o]!.data as Int16Array);
        expect(Math.max(...y.map(Math.abs)), o).toBeLessThan(32767);
      }
    }
    // x = -128 against the all -128 column: each product is 16384, a pair 32768.
    const col = Array.from(REFS[3]!["yk173s"]!.data as Int16Array).filter((_, i) => i % M === M - 1);
    expect(new Set(col).size).toBe(1);
    expect(Math.abs(col[0]!)).toBeGreaterThan(10000);
  });
});
