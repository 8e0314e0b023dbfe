// QConv's activation paths in C (codegen/kernels/qint-conv-rows.ts, qint-depthwise.ts) on every
// rig: zero-point-padded rows read in place by the GEMM (strides below, at and above the kernel
// width), dilated patches, grouped convs, uint8 inputs; depthwise convs with odd and even tap
// counts, strides 1-3 (the phase rows), dilations 1-3, pads wider than the input, a channel
// multiplier, and output lengths that leave 8-, 4- and 1-output tails. Requantized to int16 by a
// small factor so the accumulators show; every output must equal the interpreter's.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, numel, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const next = randomSource(99);
const ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + Math.floor(next() * (hi - lo + 1)));

interface Conv { readonly id: string; readonly x: "q" | "u"; readonly M: number; readonly Cg: number; readonly Kw: number; readonly s: number; readonly d: number; readonly pads: [number, number]; readonly group: number }
const C = 6;
const CONVS: Conv[] = [
  { id: "dense3", x: "q", M: 7, Cg: 6, Kw: 3, s: 1, d: 1, pads: [1, 1], group: 1 },
  { id: "dense_s2", x: "q", M: 5, Cg: 6, Kw: 4, s: 2, d: 1, pads: [3, 0], group: 1 },
  { id: "dense_s3k1", x: "u", M: 9, Cg: 6, Kw: 1, s: 3, d: 1, pads: [0, 0], group: 1 },
  { id: "dense_d2", x: "q", M: 6, Cg: 6, Kw: 3, s: 1, d: 2, pads: [2, 2], group: 1 },
  { id: "dense_d3s2u", x: "u", M: 4, Cg: 6, Kw: 2, s: 2, d: 3, pads: [4, 1], group: 1 },
  { id: "group3", x: "q", M: 6, Cg: 2, Kw: 5, s: 1, d: 1, pads: [2, 2], group: 3 },
  { id: "dw15", x: "q", M: 6, Cg: 1, Kw: 15, s: 1, d: 1, pads: [7, 7], group: 6 },
  { id: "dw4", x: "q", M: 6, Cg: 1, Kw: 4, s: 1, d: 1, pads: [2, 1], group: 6 },
  { id: "dw5s2d2", x: "u", M: 6, Cg: 1, Kw: 5, s: 2, d: 2, pads: [4, 4], group: 6 },
  { id: "dw3s3d3", x: "q", M: 6, Cg: 1, Kw: 3, s: 3, d: 3, pads: [9, 2], group: 6 },
  { id: "dw1", x: "u", M: 6, Cg: 1, Kw: 1, s: 1, d: 1, pads: [0, 0], group: 6 },
  { id: "dw_mult", x: "q", M: 12, Cg: 1, Kw: 6, s: 2, d: 1, pads: [5, 5], group: 6 },
];

const lines = CONVS.flatMap((c) => {
  // Some weights at -128 (the GEMM's single path) in every other conv.
  const w = ints(c.M * c.Cg * c.Kw, -127, 127).map((v, i) => (c.id.length % 2 === 0 && i % 7 === 0 ? -128 : v));
  const zp = c.x === "u" ? 131 : -9;
  return [
    `  %w_${c.id} = const i8[${c.M},${c.Cg},${c.Kw}] [${w.join(", ")}]`,
    `  %b_${c.id} = const i32[${c.M}] [${ints(c.M, -5000, 5000).join(", ")}]`,
    `  %y_${c.id} = QConv(%${c.x}, %w_${c.id}, %b_${c.id}) {kernel_shape=[${c.Kw}], strides=[${c.s}], dilations=[${c.d}], pads=[${c.pads.join(", ")}], group=${c.group}, x_zero_point=${zp}, multiplier=[${new Array<number>(c.M).fill(2 ** 30).join(", ")}], shift=[${ints(c.M, -4, -2).join(", ")}], rounding="gemmlowp", out_dtype="i16"}`,
  ];
});
const outs = CONVS.map((c) => `y_${c.id}`);
const g = parseGraph(`graph @g(%q: i8[1,${C},T], %u: u8[1,${C},T]) -> (${outs.map((o) => `%${o}`).join(", ")}) {
${lines.join("\n")}
}`);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const vals = (lo: number, hi: number) => Array.from({ length: numel([1, C, T]) }, () => (r() < 0.2 ? (r() < 0.5 ? lo : hi) : lo + Math.floor(r() * (hi - lo + 1))));
  return { q: fromNumbers("i8", [1, C, T], vals(-128, 127)), u: fromNumbers("u8", [1, C, T], vals(0, 255)) };
}
const SETS = [inputs(29, 1), inputs(12, 2), inputs(3, 3), inputs(1, 4)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("QConv activation paths match the interpreter", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 32 } }));

  it("the outputs are not clamped and vary", () => {
    for (const o of outs) {
      const y = Array.from(REFS[0]![o]!.data as Int16Array);
      expect(Math.max(...y.map(Math.abs)), o).toBeLessThan(32767);
      expect(new Set(y).size, o).toBeGreaterThan(y.length / 3);
    }
  });
});
