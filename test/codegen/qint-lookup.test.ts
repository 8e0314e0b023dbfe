// QLookup in C (codegen/kernels/qint-lookup.ts): int8 and uint8 inputs with int8, uint8 and
// int16 tables, every one of the 256 indices, lengths with 16-lane bodies and scalar tails (the
// aarch64 TBL/TBX path and the scalar loop), on every rig, byte for byte against the interpreter.
import { describe } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const next = randomSource(11);
const table = (lo: number, hi: number) => `[${Array.from({ length: 256 }, () => lo + Math.floor(next() * (hi - lo + 1))).join(", ")}]`;
const g = parseGraph(`graph @g(%q: i8[T], %u: u8[T]) -> (%a, %b, %c, %d) {
  %a = QLookup(%q) {table=${table(-128, 127)}}
  %b = QLookup(%u) {table=${table(0, 255)}, out_dtype="u8"}
  %c = QLookup(%q) {table=${table(-32768, 32767)}, out_dtype="i16"}
  %d = QLookup(%u) {table=${table(-128, 127)}}
}`);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = randomSource(seed);
  // The first 256 values are every index in order, the rest random.
  const idx = Array.from({ length: T }, (_, i) => (i < 256 ? i : Math.floor(r() * 256)));
  return { q: fromNumbers("i8", [T], idx.map((v) => v - 128)), u: fromNumbers("u8", [T], idx) };
}
const SETS = [inputs(300, 1), inputs(17, 2), inputs(5, 3)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("QLookup matches the interpreter", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, SETS, { expected: REFS, maxDims: { T: 300 } }));
});
