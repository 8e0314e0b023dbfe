// QAdd and QMul in C (codegen/kernels/qint-binary.ts) on same-shape operands, whose NEON loop
// rescales 8 lanes at a time with the node's constants: every rounding, int8 and uint8 inputs,
// input shifts below, at and above 0 (gemmlowp's constant rounding shift and the general
// helpers), left shifts 0, 20 and 23, zero points at the ends of the input range, and lengths
// with 8-lane bodies and scalar tails; on every rig, byte for byte against the interpreter.
import { describe, expect, it } from "vitest";
import { ROUNDINGS } from "../../ir/fixed-point.js";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const next = randomSource(5);
const mult = () => 2 ** 30 + Math.floor(next() * 2 ** 30);

interface AddCase { readonly a: "q" | "u"; readonly b: "q" | "u"; readonly ls: number; readonly sa: number; readonly sb: number; readonly shift: number; readonly m?: number; readonly zps?: [number, number] }
const ADDS: AddCase[] = [
  { a: "q", b: "q", ls: 20, sa: 0, sb: -1, shift: -19 },
  { a: "q", b: "u", ls: 20, sa: -3, sb: -5, shift: -16 },
  { a: "u", b: "u", ls: 23, sa: -1, sb: 0, shift: -21 },
  { a: "u", b: "q", ls: 0, sa: 2, sb: -2, shift: 0 },
  { a: "q", b: "q", ls: 10, sa: -31, sb: -12, shift: 0 },
  // Negative centred inputs, no left shift, rescale shifts -1 and -2 (ties in about half and a
  // quarter of the lanes) and an output scale of almost 1: a tie rounded the wrong way shows.
  { a: "q", b: "u", ls: 0, sa: -1, sb: -2, shift: 0, m: 2 ** 31 - 1, zps: [127, 255] },
];
const zpOf = (x: "q" | "u", lo: boolean) => (x === "u" ? (lo ? 0 : 255) : lo ? -128 : 127);

const lines = ROUNDINGS.flatMap((r) => {
  const tag = r.replace("-", "_");
  const adds = ADDS.map((c, k) => {
    const [za, zb] = c.zps ?? [zpOf(c.a, k % 2 === 0), zpOf(c.b, k % 2 === 1)];
    return `  %add${k}_${tag} = QAdd(%${c.a}, %${c.b}${c.a === c.b ? "2" : ""}) {a_zero_point=${za}, b_zero_point=${zb}, left_shift=${c.ls}, a_multiplier=${mult()}, a_shift=${c.sa}, b_multiplier=${mult()}, b_shift=${c.sb}, multiplier=[${c.m ?? mult()}], shift=[${c.shift}], rounding="${r}", y_zero_point=${k * 7 - 10}}`;
  });
  const muls = [
    `  %mul0_${tag} = QMul(%q, %q2) {a_zero_point=-128, b_zero_point=127, multiplier=[${mult()}], shift=[-9], rounding="${r}", y_zero_point=5}`,
    `  %mul1_${tag} = QMul(%u, %q) {a_zero_point=255, b_zero_point=-3, multiplier=[${mult()}], shift=[-8], rounding="${r}", out_dtype="i16", y_zero_point=-7}`,
  ];
  return [...adds, ...muls];
});
const outs = lines.map((l) => /%(\w+) =/.exec(l)![1]!);
const g = parseGraph(`graph @g(%q: i8[2,T], %q2: i8[2,T], %u: u8[2,T], %u2: u8[2,T]) -> (${outs.map((o) => `%${o}`).join(", ")}) {
${lines.join("\n")}
}`);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  const vals = (lo: number, hi: number) => Array.from({ length: 2 * T }, () => (r() < 0.25 ? (r() < 0.5 ? lo : hi) : lo + Math.floor(r() * (hi - lo + 1))));
  return { q: fromNumbers("i8", [2, T], vals(-128, 127)), q2: fromNumbers("i8", [2, T], vals(-128, 127)), u: fromNumbers("u8", [2, T], vals(0, 255)), u2: fromNumbers("u8", [2, T], vals(0, 255)) };
}
const SETS = [inputs(61, 1), inputs(4, 2), inputs(1, 3)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("same-shape QAdd and QMul match the interpreter", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 64 } }));

  it("the outputs vary", () => {
    for (const o of outs) expect(new Set(Array.from(REFS[0]![o]!.data as ArrayLike<number>)).size, o).toBeGreaterThan(8);
  });
});
