// QMagnitude in C (codegen/kernels/qint-magnitude.ts): int8 and uint8 halves, every pair of
// extreme values (the largest sum of squares, 2 * 128^2 for int8 and 2 * 255^2 for uint8 centred
// at 0, where isqrt(n * 4^7) is near 2^31), random values, zero points, int8 and int16 outputs, on
// every rig, byte for byte against the interpreter.
import { describe } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const g = parseGraph(`graph @g(%re: i8[T], %im: i8[T], %ur: u8[T], %ui: u8[T]) -> (%a, %b, %c) {
  %a = QMagnitude(%re, %im) {re_zero_point=-3, im_zero_point=-3, multiplier=[1518500250], shift=[-7], y_zero_point=-128}
  %b = QMagnitude(%ur, %ui) {multiplier=[1073741824], shift=[-7], out_dtype="u8", frac_bits=7}
  %c = QMagnitude(%re, %im) {re_zero_point=5, im_zero_point=-7, frac_bits=3, multiplier=[2147483000], shift=[5], out_dtype="i16", rounding="tflite"}
}`);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const ends = [-128, 127, 0, -1, 1];
  const pairs: [number, number][] = ends.flatMap((a) => ends.map((b) => [a, b] as [number, number]));
  const re: number[] = [], im: number[] = [];
  for (let i = 0; i < T; i++) {
    const [a, b] = i < pairs.length ? pairs[i]! : [Math.floor(r() * 256) - 128, Math.floor(r() * 256) - 128];
    re.push(a);
    im.push(b);
  }
  return {
    re: fromNumbers("i8", [T], re), im: fromNumbers("i8", [T], im),
    ur: fromNumbers("u8", [T], re.map((v) => v + 128)), ui: fromNumbers("u8", [T], im.map((v) => v + 128)),
  };
}
const SETS = [inputs(300, 1), inputs(17, 2), inputs(3, 3)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("QMagnitude matches the interpreter", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 300 } }));
});
