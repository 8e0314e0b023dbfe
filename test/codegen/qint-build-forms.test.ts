// Integer graphs that once failed to build: QMatMul with per-tensor requantization of int8 input
// on NEON (an unused loop variable, -Werror), QMatMul with per-column requantization and N a
// multiple of 8 of at least 16 on armv7 (GCC's aggressive-loop-optimizations warning in inlined
// helpers), QMul/QAdd on [1, T, T] (attention scores times a constant: the scratch size
// T x T is no single Dim), and QMatMul on [B, T, K] in int8 and in the 16x8 mode (a mel
// projection over a symbolic batch and frame count: the accumulator scratch B x T is no single
// Dim either). Every form is built on every rig and compared byte for byte with the
// interpreter.
import { describe } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import { Rng } from "../../src/testing/rng.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";

function graph(rows: number | "T", K: number, N: number, perColumn: boolean, rng: Rng): string {
  const w = Array.from({ length: K * N }, () => rng.int(-127, 127));
  const b = Array.from({ length: N }, () => rng.int(-2000, 2000));
  const mult = Array.from({ length: perColumn ? N : 1 }, () => rng.int(2 ** 30, 2 ** 31 - 1));
  const shift = mult.map(() => rng.int(-10, -7));
  return `graph @g(%x: i8[1,${rows},${K}]) -> (%y) {
  %w = const i8[${K},${N}] [${w.join(", ")}]
  %b = const i32[${N}] [${b.join(", ")}]
  %y = QMatMul(%x, %w, %b) {x_zero_point=3, multiplier=[${mult.join(", ")}], shift=[${shift.join(", ")}], y_zero_point=-2}
}`;
}

function input(rows: number, K: number, rng: Rng): Record<string, Tensor> {
  const x = makeTensor("i8", [1, rows, K]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.int(-128, 127);
  return { x };
}

describe("QMatMul forms build with -Werror and match the interpreter on every rig", () => {
  const rng = new Rng(77);
  const cases = [
    { name: "per tensor, static rows", rows: 5, N: 12, perColumn: false },
    { name: "per tensor, symbolic rows", rows: "T" as const, N: 9, perColumn: false },
    { name: "per column, N = 16, static rows", rows: 6, N: 16, perColumn: true },
    { name: "per column, N = 24, static rows", rows: 3, N: 24, perColumn: true },
    { name: "per column, N = 32, symbolic rows", rows: "T" as const, N: 32, perColumn: true },
  ];
  for (const c of cases) {
    const text = graph(c.rows, 20, c.N, c.perColumn, rng);
    const sets = [input(c.rows === "T" ? 7 : c.rows, 20, rng), input(c.rows === "T" ? 1 : c.rows, 20, rng)];
    itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(parseGraph(text), target, rig, sets, { maxDims: { T: 8 }, name: c.name }), `${c.name} on`);
  }
});

describe("QMul and QAdd on a [1, T, T] tensor build and match the interpreter on every rig", () => {
  const rng = new Rng(78);
  const text = `graph @g(%s: i8[1,T,T], %k: i8[1,1,1]) -> (%m, %a) {
  %m = QMul(%s, %k) {a_zero_point=-3, b_zero_point=0, multiplier=[${rng.int(2 ** 30, 2 ** 31 - 1)}], shift=[-7], y_zero_point=4}
  %a = QAdd(%s, %m) {a_zero_point=-3, b_zero_point=4, left_shift=20, a_multiplier=${2 ** 30}, a_shift=0, b_multiplier=${rng.int(2 ** 30, 2 ** 31 - 1)}, b_shift=0, multiplier=[${rng.int(2 ** 30, 2 ** 31 - 1)}], shift=[-20], y_zero_point=1}
}`;
  const set = (T: number) => {
    const s = makeTensor("i8", [1, T, T]), k = makeTensor("i8", [1, 1, 1]);
    for (let i = 0; i < s.data.length; i++) s.data[i] = rng.int(-128, 127);
    k.data[0] = 90;
    return { s, k };
  };
  const sets = [set(9), set(3)];
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(parseGraph(text), target, rig, sets, { maxDims: { T: 9 } }));
});

describe("QMatMul on [B, T, K] (two symbolic dims) builds and matches the interpreter on every rig", () => {
  const rng = new Rng(79);
  const K = 12, N = 8;
  const w = Array.from({ length: K * N }, () => rng.int(-127, 127));
  const b = Array.from({ length: N }, () => rng.int(-2000, 2000));
  const mult = Array.from({ length: N }, () => rng.int(2 ** 30, 2 ** 31 - 1));
  const text = `graph @g(%x: i8[B,T,${K}], %x16: i16[B,T,${K}]) -> (%y, %y16) {
  %w = const i8[${K},${N}] [${w.join(", ")}]
  %b = const i32[${N}] [${b.join(", ")}]
  %y = QMatMul(%x, %w, %b) {x_zero_point=3, multiplier=[${mult.join(", ")}], shift=[${mult.map(() => -8).join(", ")}], y_zero_point=-2}
  %y16 = QMatMul(%x16, %w, %b) {multiplier=[${2 ** 30}], shift=[-16], y_zero_point=1}
}`;
  const set = (B: number, T: number) => {
    const x = makeTensor("i8", [B, T, K]), x16 = makeTensor("i16", [B, T, K]);
    for (let i = 0; i < x.data.length; i++) x.data[i] = rng.int(-128, 127);
    for (let i = 0; i < x16.data.length; i++) x16.data[i] = rng.int(-30000, 30000);
    return { x, x16 };
  };
  const sets = [set(2, 5), set(1, 7), set(3, 1)];
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(parseGraph(text), target, rig, sets, { maxDims: { B: 3, T: 7 } }));
});
