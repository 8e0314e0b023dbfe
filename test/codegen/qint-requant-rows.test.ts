// The requantization rows of the integer kernels (useRequantRow in codegen/kernels/qint-common.ts)
// over the whole int32 range, on every rig: Requantize nodes on an int32 input feed the row
// helper raw accumulators (INT32_MIN/MAX and their neighbours, exact rounding ties of every
// shift used and their neighbours, random values), for every rounding, int8/uint8/int16 outputs,
// right and left shifts, multipliers 0, 2^30 and 2^31 - 1, zero points at the ends of the
// output range and narrow clamps. Rows are long enough for the 8-lane loops and end in scalar
// tails. Every output must equal the interpreter's.
import { describe, expect, it } from "vitest";
import { ROUNDINGS } from "../../ir/fixed-point.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const I32_MIN = -(2 ** 31), I32_MAX = 2 ** 31 - 1;

interface Case { readonly out: "i8" | "u8" | "i16"; readonly m: number; readonly shift: number; readonly zp: number; readonly qmin?: number; readonly qmax?: number }
const CASES: Case[] = [
  { out: "i8", m: 1518500250, shift: -9, zp: -128 },
  { out: "i8", m: 2 ** 30, shift: -1, zp: 127, qmin: -20, qmax: 90 },
  { out: "i8", m: 2 ** 31 - 1, shift: 0, zp: 3 },
  { out: "i8", m: 1234567890, shift: -31, zp: 0 },
  { out: "i8", m: 1800000000, shift: 5, zp: -7 },
  { out: "u8", m: 2 ** 30, shift: -17, zp: 255, qmin: 0, qmax: 200 },
  { out: "u8", m: 1999999999, shift: -4, zp: 0 },
  { out: "i16", m: 1500000001, shift: -14, zp: -32768 },
  { out: "i16", m: 0, shift: -3, zp: 100 },
  { out: "i16", m: 1100000000, shift: 30, zp: 32767, qmin: -1000, qmax: 30000 },
];

const nodes = ROUNDINGS.flatMap((r) => CASES.map((c, k) => {
  const clamp = (c.qmin !== undefined ? `, qmin=${c.qmin}` : "") + (c.qmax !== undefined ? `, qmax=${c.qmax}` : "");
  return { out: `y${k}_${r.replace("-", "_")}`, line: `multiplier=[${c.m}], shift=[${c.shift}], rounding="${r}", y_zero_point=${c.zp}, out_dtype="${c.out}"${clamp}` };
}));
const g = parseGraph(`graph @g(%x: i32[T]) -> (${nodes.map((n) => `%${n.out}`).join(", ")}) {
${nodes.map((n) => `  %${n.out} = Requantize(%x) {x_zero_point=0, ${n.line}}`).join("\n")}
}`);

/** Accumulators: the ends of int32, ties of every right shift in the cases and their neighbours, random. */
function accumulators(T: number, seed: number): Tensor {
  const r = randomSource(seed);
  const special = [I32_MIN, I32_MIN + 1, I32_MIN + 2, -1, 0, 1, I32_MAX - 2, I32_MAX - 1, I32_MAX];
  for (const s of [1, 3, 4, 9, 14, 17, 31]) {
    for (const sign of [-1, 1]) for (const d of [-1, 0, 1]) special.push(Math.max(I32_MIN, Math.min(I32_MAX, sign * (2 ** (s - 1)) + d)));
  }
  const v = Array.from({ length: T }, (_, i) => {
    if (i < special.length) return special[i]!;
    const u = r();
    if (u < 0.3) return Math.floor(r() * 2 ** 32) - 2 ** 31;
    // |acc| < 2^26 reaches the interior of the cases that shift right by 17-18 bits from a far zero point.
    if (u < 0.5) return Math.floor(r() * 2 ** 27) - 2 ** 26;
    if (u < 0.8) return Math.floor(r() * 400001) - 200000;
    return Math.floor(r() * 2001) - 1000;
  });
  return fromNumbers("i32", [T], v);
}
const SETS = [{ x: accumulators(1003, 1) }, { x: accumulators(61, 2) }, { x: accumulators(7, 3) }];
const REFS = SETS.map((s) => runGraph(g, s));

describe("requantization rows match the interpreter over the int32 range", () => {
  // The first difference names the accumulator behind it.
  itOnRigs(ALL_RIGS, (target, rig) =>
    checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 1024 }, at: (k, i) => `x ${SETS[k]!.x.data[i]}` }));

  it("the outputs reach both clamps and the interior", () => {
    for (const n of nodes) {
      const y = Array.from(REFS[0]![n.out]!.data as ArrayLike<number>);
      // Multiplier 0 gives the zero point only, shift -31 leaves -1, 0 and 1, shift 30 saturates to
      // the two clamps; every other case spans many values.
      const k = Number(/^y(\d+)_/.exec(n.out)![1]);
      expect(new Set(y).size, n.out).toBeGreaterThanOrEqual(({ 3: 3, 8: 1, 9: 2 } as Record<number, number>)[k] ?? 10);
    }
  });
});
