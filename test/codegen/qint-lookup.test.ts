// QLookup in C (codegen/kernels/qint-lookup.ts): int8 and uint8 inputs with int8, uint8 and
// int16 tables, every one of the 256 indices, lengths with 16-lane bodies and scalar tails (the
// aarch64 TBL/TBX path and the scalar loop), on every rig, byte for byte against the interpreter.
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import { compileGraph } from "../../codegen/emit-model.js";
import { buildModel, runBuild } from "../../codegen/build.js";
import { getTarget } from "../../codegen/targets.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import "../../ir/ops/index.js";
import { rigOrSkip } from "./helpers.js";

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}
const next = rng(11);
const table = (lo: number, hi: number) => `[${Array.from({ length: 256 }, () => lo + Math.floor(next() * (hi - lo + 1))).join(", ")}]`;
const g = parseGraph(`graph @g(%q: i8[T], %u: u8[T]) -> (%a, %b, %c, %d) {
  %a = QLookup(%q) {table=${table(-128, 127)}}
  %b = QLookup(%u) {table=${table(0, 255)}, out_dtype="u8"}
  %c = QLookup(%q) {table=${table(-32768, 32767)}, out_dtype="i16"}
  %d = QLookup(%u) {table=${table(-128, 127)}}
}`);

function inputs(T: number, seed: number): Record<string, Tensor> {
  const r = rng(seed);
  // The first 256 values are every index in order, the rest random.
  const idx = Array.from({ length: T }, (_, i) => (i < 256 ? i : Math.floor(r() * 256)));
  return { q: fromNumbers("i8", [T], idx.map((v) => v - 128)), u: fromNumbers("u8", [T], idx) };
}
const SETS = [inputs(300, 1), inputs(17, 2), inputs(5, 3)];
const REFS = SETS.map((s) => runGraph(g, s));

describe("QLookup matches the interpreter", () => {
  const rigs: [string, "native" | "simde" | "qemu"][] = [["c99", "native"], ["aarch64", "simde"], ["aarch64", "qemu"], ["aarch64+dotprod", "qemu"], ["armv7", "qemu"]];
  for (const [target, mode] of rigs) {
    it(`${target} (${mode})`, () => {
      const rig = rigOrSkip(target, mode);
      if (!rig) return;
      const model = compileGraph(g, { target: getTarget(target), maxDims: { T: 300 } });
      const build = buildModel(model, rig);
      SETS.forEach((set, k) => {
        const got = runBuild(model, build, set).outputs;
        for (const o of g.outputs) {
          const a = got[o]!.data, b = REFS[k]![o]!.data;
          let bad = 0, first = "";
          for (let i = 0; i < b.length; i++) if (a[i] !== b[i] && bad++ === 0) first = `[${i}] C ${a[i]} vs interpreter ${b[i]}`;
          expect(bad, `${target}/${mode} set ${k} ${o}: ${bad} of ${b.length} differ, first ${first}`).toBe(0);
        }
      });
    });
  }
});
