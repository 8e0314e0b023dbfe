// The c99 integer GEMM (uint8 x int8 panels, 4 x 4 blocks) and depthwise loops as the benchmarks
// build them: -O3 -march=native, where GCC vectorizes them differently (vpdpbusd, 512-bit vectors
// on AVX-512 hosts) from the rigs' default flags. Convolutions whose row counts (M % 4), column
// counts (N % 4 = 0..3, N = 1), depths (K odd, K < vector width) and weights (-128, 127)
// exercise each block and tail; uint8 inputs; depthwise with strides, dilations and channel
// multipliers; QMatMul. Outputs equal the interpreter's byte for byte.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, numel, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { checkBitExact, rigOrSkip } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const next = randomSource(4099);
const ri = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
const vals = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => ri(lo, hi));
const konst = (name: string, dt: string, shape: number[], v: number[]) => `  %${name} = const ${dt}[${shape.join(",")}] [${v.join(", ")}]`;
const rq = (n: number) => `multiplier=[${Array.from({ length: n }, () => ri(2 ** 30, 2 ** 31 - 1)).join(", ")}], shift=[${vals(n, -11, -8).join(", ")}], rounding="gemmlowp"`;

/** [out channels, in channels, kernel, group] of the convolutions. */
const CONVS: [number, number, number, number][] = [[13, 12, 3, 1], [4, 40, 5, 1], [7, 9, 1, 1], [30, 16, 7, 2], [1, 3, 1, 1], [12, 6, 5, 6], [16, 16, 3, 16], [9, 3, 4, 3]];
const lines: string[] = [];
const outs: string[] = [];
CONVS.forEach(([M, C, k, g], i) => {
  const w = vals(M * (C / g) * k, -128, 127);
  w[0] = -128; w[1] = 127;
  lines.push(konst(`w${i}`, "i8", [M, C / g, k], w), konst(`b${i}`, "i32", [M], vals(M, -5000, 5000)));
  const x = C === 12 ? "%x12" : C === 40 ? "%x40" : C === 9 ? "%x9" : C === 16 ? "%x16" : C === 3 ? "%x3" : "%x6";
  const geo = i % 3 === 0 ? `strides=[2], pads=[${k - 1}, 1]` : i % 3 === 1 ? `dilations=[2], pads=[${k}, ${k}]` : `pads=[${Math.floor(k / 2)}, ${Math.floor(k / 2)}]`;
  lines.push(`  %c${i} = QConv(${x}, %w${i}, %b${i}) {kernel_shape=[${k}], ${geo}, group=${g}, x_zero_point=${ri(-20, 20)}, ${rq(M)}, y_zero_point=${ri(-10, 10)}}`);
  outs.push(`c${i}`);
});
lines.push(konst("wu", "i8", [11, 12, 3], vals(396, -128, 127)));
lines.push(`  %xu = Requantize(%x12) {x_zero_point=0, multiplier=[${2 ** 30}], shift=[1], y_zero_point=128, out_dtype="u8"}`);
lines.push(`  %cu = QConv(%xu, %wu) {kernel_shape=[3], pads=[1, 1], x_zero_point=131, ${rq(11)}, y_zero_point=-4}`);
lines.push(konst("wm", "i8", [37, 10], vals(370, -128, 127)), konst("bm", "i32", [10], vals(10, -4000, 4000)));
lines.push(`  %m = QMatMul(%q2, %wm, %bm) {x_zero_point=-2, ${rq(10)}, y_zero_point=-1}`);
outs.push("cu", "m");
const INPUTS: [string, number][] = [["x12", 12], ["x40", 40], ["x9", 9], ["x16", 16], ["x3", 3], ["x6", 6]];
const g = parseGraph(`graph @g(${INPUTS.map(([n, c]) => `%${n}: i8[1,${c},T]`).join(", ")}, %q2: i8[1,T,37]) -> (${outs.map((o) => "%" + o).join(", ")}) {
${lines.join("\n")}
}`);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const i8 = (shape: number[]) => fromNumbers("i8", shape, Array.from({ length: numel(shape) }, () => Math.floor(r() * 256) - 128));
  return { ...Object.fromEntries(INPUTS.map(([n, c]) => [n, i8([1, c, T])])), q2: i8([1, T, 37]) };
}
// T = 1..4 and longer: output columns N = 1, 2, 3, 4 and tails after 4-column panels.
const SETS = [1, 2, 3, 4, 5, 6, 7, 29, 64].map((T, i) => inputs(T, 10 + i));
const REFS = SETS.map((s) => runGraph(g, s));

describe("c99 integer kernels built -O3 -march=native match the interpreter bit for bit", () => {
  for (const flags of [[], ["-O3", "-march=native"]]) {
    it(`c99 (native) ${flags.join(" ") || "default flags"}`, (ctx) => {
      const rig = rigOrSkip(ctx, "c99", "native");
      checkBitExact(g, "c99", rig, SETS, { expected: REFS, maxDims: { T: 64 }, build: { extraFlags: flags } });
    });
  }

  it("the outputs are not trivial", () => {
    for (const o of outs) expect(new Set(REFS[8]![o]!.data as Int8Array).size, o).toBeGreaterThan(10);
  });
});
