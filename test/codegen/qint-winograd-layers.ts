// Random integer 1-D conv layers for the integer Winograd tests (exact and scaled schemes): a
// graph of QConvs on an int8 and a uint8 input with zero points, groups, pads and per-channel
// requantization to int16, seeded inputs, and a fast-check arbitrary of such layers.
import fc from "fast-check";
import { fromNumbers, numel, type Tensor } from "../../ir/types.js";
import { randomSource } from "../../src/testing/index.js";

export interface Layer {
  readonly M: number; readonly Cg: number; readonly group: number; readonly Kw: number; readonly pads: [number, number]; readonly u8: boolean; readonly seed: number;
  /** Weights only -128 and 127 (the largest transformed weights, so the widest tap sums). */
  readonly extreme?: boolean;
}

/** The input zero point of a layer (uint8 inputs around 128, int8 ones around 0). */
export const zpOf = (l: Layer) => (l.u8 ? 120 + (l.seed % 20) : -10 + (l.seed % 20));

/** IR text of one QConv per layer on %q (int8) or %u (uint8) [1, C, T], weights in [-128, 127]. */
export function layerGraph(layers: readonly Layer[], C: number): string {
  const body = layers.flatMap((l, k) => {
    const r = randomSource(l.seed);
    const ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
    const w = l.extreme ? ints(l.M * l.Cg * l.Kw, 0, 1).map((b) => (b ? 127 : -128)) : ints(l.M * l.Cg * l.Kw, -128, 127);
    return [
      `  %w${k} = const i8[${l.M},${l.Cg},${l.Kw}] [${w.join(", ")}]`,
      `  %b${k} = const i32[${l.M}] [${ints(l.M, -3000, 3000).join(", ")}]`,
      `  %y${k} = QConv(%${l.u8 ? "u" : "q"}, %w${k}, %b${k}) {pads=[${l.pads.join(", ")}], group=${l.group}, x_zero_point=${zpOf(l)}, ` +
        `multiplier=[${ints(l.M, 2 ** 30, 2 ** 31 - 1).join(", ")}], shift=[${ints(l.M, -10, -7).join(", ")}], rounding="gemmlowp", out_dtype="i16"}`,
    ];
  });
  return `graph @g(%q: i8[1,${C},T], %u: u8[1,${C},T]) -> (${layers.map((_, k) => `%y${k}`).join(", ")}) {\n${body.join("\n")}\n}`;
}

/** Seeded inputs q (int8) and u (uint8) [1, C, T]; `extremes`: a fifth of the values at the ends of the range. */
export function layerInputs(C: number, T: number, seed: number, extremes = true): Record<string, Tensor> {
  const r = randomSource(seed);
  const vals = (lo: number, hi: number) => Array.from({ length: numel([1, C, T]) }, () => (extremes && r() < 0.2 ? (r() < 0.5 ? lo : hi) : lo + Math.floor(r() * (hi - lo + 1))));
  return { q: fromNumbers("i8", [1, C, T], vals(-128, 127)), u: fromNumbers("u8", [1, C, T], vals(0, 255)) };
}

/** Layers on C input channels: groups 1-3, 1-5 outputs per group, 2-11 taps, pads up to 6. */
export const arbLayer = (C: number) => fc.record({
  group: fc.constantFrom(1, 2, 3),
  Mg: fc.integer({ min: 1, max: 5 }),
  Kw: fc.integer({ min: 2, max: 11 }),
  pl: fc.nat(6), pr: fc.nat(6),
  u8: fc.boolean(),
  seed: fc.nat(),
}).map(({ group, Mg, Kw, pl, pr, u8, seed }): Layer => ({ M: Mg * group, Cg: C / group, group, Kw, pads: [Math.min(pl, Kw - 1), Math.min(pr, Kw - 1)], u8, seed }));
