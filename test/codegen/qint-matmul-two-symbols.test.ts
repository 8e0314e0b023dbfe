// QMatMul with a constant w over x[N, T, K] whose two leading dims are symbolic (a batch and a
// time axis: the mel front end's [batch_size, frames, 32] product): the kernel's scratch is sized
// for the largest dims, as the plan reserves it, since N * T is no dim of its own. Checked bit for
// bit against the interpreter on c99 (native) and aarch64 (SIMDe) at and below the largest dims,
// for int8 x (read in place) and uint8 x (moved to int8 in the scratch), per column requantized.
import { describe } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { randomSource } from "../../src/testing/index.js";
import { checkBitExact, itOnRigs } from "./helpers.js";

const K = 16, M = 5;
const next = randomSource(2024);
const ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + Math.floor(next() * (hi - lo + 1)));
const list = (xs: readonly number[]) => `[${xs.join(", ")}]`;
const requant = `multiplier=${list(ints(M, 2 ** 30, 2 ** 31 - 1))}, shift=${list(ints(M, -9, -6))}, rounding="gemmlowp"`;

const g = parseGraph(`graph @g(%xs: i8[N,T,${K}], %xu: u8[N,T,${K}]) -> (%ys, %yu) {
  %w = const i8[${K},${M}] ${list(ints(K * M, -127, 127))}
  %b = const i32[${M}] ${list(ints(M, -5000, 5000))}
  %ys = QMatMul(%xs, %w, %b) {x_zero_point=3, ${requant}, y_zero_point=-4}
  %yu = QMatMul(%xu, %w, %b) {x_zero_point=130, ${requant}, y_zero_point=6}
}`);

const set = (n: number, t: number): Record<string, Tensor> => ({
  xs: fromNumbers("i8", [n, t, K], ints(n * t * K, -128, 127)),
  xu: fromNumbers("u8", [n, t, K], ints(n * t * K, 0, 255)),
});
const SETS = [set(3, 7), set(1, 4), set(2, 1)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("QMatMul over two symbolic leading dims in C", () => {
  itOnRigs([["c99", "native"], ["aarch64", "simde"]], (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { N: 3, T: 7 } }));
});
