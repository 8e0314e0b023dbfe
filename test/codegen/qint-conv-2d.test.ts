// QConvIm2col2d and QConvDepthwise2d in C (codegen/kernels/qint-conv-2d.ts,
// qint-conv-depthwise-2d.ts) on every rig: 2-D integer convolutions (dense, strided, dilated,
// grouped, depthwise with a channel multiplier and with auto_pad, uint8 inputs, pads wider than the kernel, a kernel
// taller than it is wide) and auto_pad SAME_UPPER / SAME_LOWER / VALID in 2-D and 1-D, where the
// pads follow the symbolic length T at run time. Some weights are -128 (the GEMM's single path),
// the outputs are requantized to int16 by a small factor so the accumulators show; every output
// must equal the interpreter's. The lower stage must pick the depthwise loop where it can.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, numel, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { runPipeline } from "../../passes/index.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const next = randomSource(2024);
const ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + Math.floor(next() * (hi - lo + 1)));

interface Conv {
  readonly id: string; readonly x: "q" | "u" | "q1" | "u1"; readonly M: number; readonly Cg: number; readonly k: number[];
  readonly s: number[]; readonly d: number[]; readonly pads?: number[]; readonly autoPad?: string; readonly group: number;
}
const C = 4, F = 7;
const CONVS: Conv[] = [
  { id: "dense3x3", x: "q", M: 6, Cg: 4, k: [3, 3], s: [1, 1], d: [1, 1], pads: [1, 1, 1, 1], group: 1 },
  { id: "s2", x: "u", M: 5, Cg: 4, k: [3, 3], s: [2, 2], d: [1, 1], pads: [1, 0, 1, 2], group: 1 },
  { id: "tall_s21", x: "q", M: 3, Cg: 4, k: [5, 2], s: [2, 1], d: [1, 1], pads: [4, 0, 0, 1], group: 1 },
  { id: "dil2", x: "u", M: 7, Cg: 4, k: [3, 2], s: [1, 2], d: [2, 3], pads: [2, 3, 2, 3], group: 1 },
  { id: "group2", x: "q", M: 6, Cg: 2, k: [2, 3], s: [1, 1], d: [1, 1], pads: [0, 1, 1, 1], group: 2 },
  { id: "dw", x: "u", M: 8, Cg: 1, k: [3, 3], s: [1, 2], d: [1, 1], pads: [1, 1, 1, 1], group: 4 },
  { id: "dw_same_s2", x: "q", M: 4, Cg: 1, k: [3, 5], s: [2, 2], d: [1, 2], autoPad: "SAME_UPPER", group: 4 },
  { id: "dw_d1_same", x: "u1", M: 4, Cg: 1, k: [5], s: [2], d: [1], autoPad: "SAME_LOWER", group: 4 },
  { id: "k1", x: "q", M: 9, Cg: 4, k: [1, 1], s: [1, 1], d: [1, 1], pads: [0, 0, 0, 0], group: 1 },
  { id: "same_up_s2", x: "q", M: 5, Cg: 4, k: [3, 3], s: [2, 2], d: [1, 1], autoPad: "SAME_UPPER", group: 1 },
  { id: "same_lo_s3", x: "u", M: 4, Cg: 4, k: [4, 2], s: [3, 1], d: [1, 1], autoPad: "SAME_LOWER", group: 1 },
  { id: "valid", x: "q", M: 3, Cg: 4, k: [2, 3], s: [1, 2], d: [1, 1], autoPad: "VALID", group: 1 },
  { id: "d1_same_up", x: "q1", M: 5, Cg: 4, k: [3], s: [2], d: [1], autoPad: "SAME_UPPER", group: 1 },
  { id: "d1_same_lo", x: "u1", M: 6, Cg: 2, k: [4], s: [1], d: [2], autoPad: "SAME_LOWER", group: 2 },
  { id: "d1_valid", x: "q1", M: 4, Cg: 4, k: [2], s: [3], d: [1], autoPad: "VALID", group: 1 },
];

const lines = CONVS.flatMap((c) => {
  const kn = c.k.reduce((p, q) => p * q, 1);
  const w = ints(c.M * c.Cg * kn, -127, 127).map((v, i) => (c.id.length % 2 === 0 && i % 7 === 0 ? -128 : v));
  const zp = c.x.startsWith("u") ? 131 : -9;
  const pad = c.autoPad ? `auto_pad="${c.autoPad}"` : `pads=[${c.pads!.join(", ")}]`;
  return [
    `  %w_${c.id} = const i8[${c.M},${c.Cg},${c.k.join(",")}] [${w.join(", ")}]`,
    `  %b_${c.id} = const i32[${c.M}] [${ints(c.M, -5000, 5000).join(", ")}]`,
    `  %y_${c.id} = QConv(%${c.x}, %w_${c.id}, %b_${c.id}) {kernel_shape=[${c.k.join(", ")}], strides=[${c.s.join(", ")}], dilations=[${c.d.join(", ")}], ${pad}, group=${c.group}, x_zero_point=${zp}, multiplier=[${new Array<number>(c.M).fill(2 ** 30).join(", ")}], shift=[${ints(c.M, -6, -4).join(", ")}], rounding="gemmlowp", out_dtype="i16"}`,
  ];
});
const outs = CONVS.map((c) => `y_${c.id}`);
const g = parseGraph(`graph @g(%q: i8[1,${C},T,${F}], %u: u8[1,${C},T,${F}], %q1: i8[1,${C},T], %u1: u8[1,${C},T]) -> (${outs.map((o) => `%${o}`).join(", ")}) {
${lines.join("\n")}
}`);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const vals = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => (r() < 0.2 ? (r() < 0.5 ? lo : hi) : lo + Math.floor(r() * (hi - lo + 1))));
  const s2 = [1, C, T, F], s1 = [1, C, T];
  return {
    q: fromNumbers("i8", s2, vals(numel(s2), -128, 127)), u: fromNumbers("u8", s2, vals(numel(s2), 0, 255)),
    q1: fromNumbers("i8", s1, vals(numel(s1), -128, 127)), u1: fromNumbers("u8", s1, vals(numel(s1), 0, 255)),
  };
}
// T = 5 and 6 put SAME's odd pad on either side for strides 2 and 3; T = 2 is shorter than some kernels.
const SETS = [inputs(11, 1), inputs(6, 2), inputs(5, 3), inputs(2, 4)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("2-D QConv and QConv with auto_pad match the interpreter", () => {
  it("lower picks QConvDepthwise2d for one input channel per group, else QConvIm2col2d", () => {
    const lowered = runPipeline(g, "lower");
    const ops = new Map(lowered.nodes.map((n) => [n.outputs[0]!, n.op]));
    for (const c of CONVS) expect(ops.get(`y_${c.id}`), c.id).toBe(c.Cg === 1 ? "QConvDepthwise2d" : "QConvIm2col2d");
  });

  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 16 } }));

  it("the outputs are not clamped and vary", () => {
    for (const o of outs) {
      const y = Array.from(REFS[0]![o]!.data as Int16Array);
      expect(Math.max(...y.map(Math.abs)), o).toBeLessThan(32767);
      expect(new Set(y).size, o).toBeGreaterThan(y.length / 3);
    }
  });
});
