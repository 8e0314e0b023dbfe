// canonicalize's Einsum rule (passes/canonicalize/einsum.ts): the equations speech models emit
// become Transpose/ReduceSum/MatMul/Reshape with the same numbers, random equations (1 to 3
// operands, batch / contracted / private labels, any output order) too, and what stays an Einsum
// says why.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSameNumbers, ir, ops, run } from "./helpers.js";

const graph = (inputs: string, eq: string, n: number) =>
  ir(`graph @g(${inputs}) -> (%y) {\n  %y = Einsum(${Array.from({ length: n }, (_, k) => `%x${k}`).join(", ")}) {equation="${eq}"}\n}`);

describe("canonicalize: Einsum as MatMul", () => {
  const cases: [string, string, number, number][] = [
    ["%x0: f32[2,3,T,4], %x1: f32[2,3,T,4]", "bhtd,bhsd->bhts", 2, 1],
    ["%x0: f32[2,3,T,T], %x1: f32[2,3,T,4]", "bhts,bhsd->bhtd", 2, 1],
    ["%x0: f32[1,T,5], %x1: f32[5,6]", "btc,cd->btd", 2, 1],
    ["%x0: f32[2,T,5], %x1: f32[2,T,5]", "btd,bsd->bts", 2, 1],
    ["%x0: f32[3], %x1: f32[4]", "i,j->ij", 2, 1],
    ["%x0: f32[2,T,5]", "btc->cb", 1, 0],
    ["%x0: f32[3,4]", "ij->ji", 1, 0],
    ["%x0: f32[3], %x1: f32[3,4], %x2: f32[4]", "i,ij,j->", 3, 2],
    ["%x0: f32[2,1,5], %x1: f32[1,T,5]", "...c,...tc->...t", 2, 1],
  ];
  for (const [inputs, eq, n, want] of cases) {
    it(`"${eq}"`, () => {
      const g = graph(inputs, eq, n);
      const out = run(g, "canonicalize");
      expect(ops(out)).not.toContain("Einsum");
      expect(ops(out).filter((o) => o === "MatMul").length).toBe(want);
      expectSameNumbers(g, out);
    });
  }

  it("keeps diagonals, traces and integer Einsums, saying why", () => {
    for (const [inputs, eq, why] of [
      ["%x0: f32[4,4]", "ii->i", /a label twice in one operand/],
      ["%x0: i32[3,4], %x1: i32[4,2]", "ij,jk->ik", /dtype i32 stays an Einsum/],
      ["%x0: f32[T,S,3], %x1: f32[3]", "tsc,c->ts", /multiplies symbolic dims/],
    ] as const) {
      const g = graph(inputs, eq, inputs.split("%").length - 1);
      const lines: string[] = [];
      expect(ops(run(g, "canonicalize", { explain: ["canonicalize"], log: (t) => lines.push(t) }))).toEqual(["Einsum"]);
      expect(lines.join("\n")).toMatch(why);
    }
  });

  it("random equations: no Einsum left, the same numbers", () => {
    const arb = fc.record({
      sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 6, maxLength: 6 }),
      operands: fc.array(fc.shuffledSubarray([..."abcdef"], { minLength: 0, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      out: fc.shuffledSubarray([..."abcdef"]),
    });
    fc.assert(fc.property(arb, ({ sizes, operands, out }) => {
      const used = new Set(operands.flat());
      const output = out.filter((l) => used.has(l));
      const size = (l: string) => sizes["abcdef".indexOf(l)]!;
      const inputs = operands.map((o, k) => `%x${k}: f32[${o.map(size).join(",")}]`).join(", ");
      const eq = `${operands.map((o) => o.join("")).join(",")}->${output.join("")}`;
      const g = graph(inputs, eq, operands.length);
      const after = run(g, "canonicalize");
      // An identity Einsum from a graph input to the graph output has nothing to become.
      const identity = operands.length === 1 && output.join("") === operands[0]!.join("");
      if (!identity) expect(ops(after), eq).not.toContain("Einsum");
      expectSameNumbers(g, after, [1]);
    }), { numRuns: 150, seed: 4 });
  });
});
