// QLogEnergy in C (codegen/kernels/qint-log-energy.ts): int16 halves at their extremes (powers
// up to 2^31, bank sums near 2^53 is what the infer bound allows), int8 and uint8 halves with zero
// points, no im, no bank, a bank with zero columns and gaps (the spans the kernel skips by), a
// floor and none (the log of zero is then the lowest output), addends (one, per column, up to 2^52), per-column and single offsets, on every rig, byte for byte against the interpreter.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const K = 24, M = 5;
const r0 = randomSource(7);
// A bank of triangles with an empty column (2) and a gap inside column 4.
const bank = Array.from({ length: K * M }, (_, i) => {
  const k = Math.floor(i / M), m = i % M;
  if (m === 2) return 0;
  if (m === 4) return k < 3 || k > 20 ? 127 : 0;
  return Math.abs(k - 5 * m - 2) < 4 ? Math.floor(r0() * 127) + 1 : 0;
});
const g = parseGraph(`graph @g(%re: i16[R,${K}], %im: i16[R,${K}], %r8: i8[R,${K}], %i8: i8[R,${K}], %u8: u8[R,${K}]) -> (%a, %b, %c, %d, %e, %f, %h) {
  %bank = const i8[${K},${M}] [${bank.join(", ")}]
  %a = QLogEnergy(%re, %im, %bank) {offsets=[-300000, -299000, -298000, -297000, -296000], floor=-1500000, multiplier=[1300000000], shift=[-13], y_zero_point=-128}
  %b = QLogEnergy(%r8, %i8, %bank) {re_zero_point=-3, im_zero_point=5, offsets=[-100000], multiplier=[2100000000], shift=[-6], out_dtype="i16", rounding="tflite"}
  %c = QLogEnergy(%u8, _, %bank) {re_zero_point=128, offsets=[12345, 0, -5, 7, 99], floor=40000, multiplier=[2100000000], shift=[-13], y_zero_point=-100}
  %d = QLogEnergy(%re, %im) {floor=-65536, multiplier=[1880000000], shift=[-13], y_zero_point=-128}
  %e = QLogEnergy(%re) {multiplier=[1880000000], shift=[-13], y_zero_point=-100}
  %f = QLogEnergy(%re, %im, %bank) {addends=[0, 1, 5000, 123456789, 4503599627370495], offsets=[-300000], multiplier=[1300000000], shift=[-13], y_zero_point=-128}
  %h = QLogEnergy(%r8, %i8) {re_zero_point=1, addends=[37], multiplier=[1880000000], shift=[-12], y_zero_point=-128}
}`);

function inputs(R: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const ends = [-32768, 32767, 0, -1, 1];
  const n = R * K;
  const re: number[] = [], im: number[] = [];
  for (let i = 0; i < n; i++) {
    // The first rows hold every pair of extremes; then loud and quiet rows at random.
    const e = i < 25 ? [ends[i % 5]!, ends[Math.floor(i / 5)]!] : undefined;
    const amp = 2 ** Math.floor(r() * 16);
    re.push(e ? e[0]! : Math.max(-32768, Math.min(32767, Math.round((r() * 2 - 1) * amp))));
    im.push(e ? e[1]! : Math.max(-32768, Math.min(32767, Math.round((r() * 2 - 1) * amp))));
  }
  const narrow = (v: number) => Math.max(-128, Math.min(127, v >> 8));
  return {
    re: fromNumbers("i16", [R, K], re), im: fromNumbers("i16", [R, K], im),
    r8: fromNumbers("i8", [R, K], re.map(narrow)), i8: fromNumbers("i8", [R, K], im.map(narrow)),
    u8: fromNumbers("u8", [R, K], re.map((v) => narrow(v) + 128)),
  };
}
const SETS = [inputs(40, 1), inputs(3, 2), inputs(1, 3)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("QLogEnergy matches the interpreter", () => {
  it("on inputs that reach many output values of every node (not a saturated test)", () => {
    for (const o of ["a", "b", "c", "d", "e", "f", "h"]) expect(new Set(Array.from(REFS[0]![o]!.data as ArrayLike<number>)).size, o).toBeGreaterThan(20);
  });
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { R: 40 } }));
});
