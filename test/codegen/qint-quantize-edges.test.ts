// Quantize in C against the interpreter on the inputs where a rounding shortcut would differ:
// exact ties (x / scale = n + 0.5, both parities, both signs, with power-of-two scales so the
// division is exact), their float neighbours, +-0, subnormals, values at and past the clamps,
// +-Infinity, NaN, the largest floats, and random float bit patterns (every exponent). Outputs
// int8, uint8 and int16, every rig (and c99 at -O3 -march=native), byte for byte.
import { describe, it } from "vitest";
import { parseGraph } from "../../ir/text/index.js";
import { fromNumbers, type Tensor } from "../../ir/types.js";
import "../../ir/ops/index.js";
import { ALL_RIGS, checkBitExact, itOnRigs, rigOrSkip } from "./helpers.js";
import { randomSource } from "../../src/testing/index.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float next to x toward +Infinity (dir 1) or -Infinity (dir -1), for finite nonzero x. */
function neighbour(x: number, dir: 1 | -1): number {
  f32[0] = x;
  u32[0] = u32[0]! + ((x > 0) === (dir > 0) ? 1 : -1);
  return f32[0]!;
}

function edgeValues(scale: number): number[] {
  const out: number[] = [0, -0, 1e-45, -1e-45, 1.17549435e-38, Infinity, -Infinity, NaN, 3.4028235e38, -3.4028235e38];
  for (let n = -300; n <= 300; n++) {
    const tie = (n + 0.5) * scale;
    out.push(tie, neighbour(tie, 1), neighbour(tie, -1), n * scale);
  }
  return out;
}

function randomBits(count: number, seed: number): number[] {
  const r = randomSource(seed);
  return Array.from({ length: count }, () => {
    u32[0] = Math.floor(r() * 2 ** 32) >>> 0;
    return f32[0]!;
  });
}

const cases = [
  { scale: 0.25, zp: 3, dt: "i8" },
  { scale: 0.5, zp: 128, dt: "u8" },
  { scale: 0.125, zp: -7, dt: "i16" },
  { scale: 0.037912166819852940, zp: -22, dt: "i8" },
];
const outs = cases.map((_, i) => `y${i}`);
const g = parseGraph(`graph @g(%x: f32[1,T]) -> (${outs.map((o) => "%" + o).join(", ")}) {
${cases.map((c, i) => `  %y${i} = Quantize(%x) {scale=${c.scale}, zero_point=${c.zp}, out_dtype="${c.dt}"}`).join("\n")}
}`);

const values = [...cases.flatMap((c) => edgeValues(c.scale)), ...randomBits(4000, 7)];
const sets: Record<string, Tensor>[] = [{ x: fromNumbers("f32", [1, values.length], values) }];

describe("Quantize in C rounds half to even and saturates exactly as the interpreter", () => {
  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(g, target, rig, sets, { maxDims: { T: values.length } }));
  // -O3 -march=native vectorizes the element loop (vrndscalepd on x86): a different code path.
  it("c99 -O3 -march=native", (ctx) => {
    const rig = rigOrSkip(ctx, "c99", "native");
    checkBitExact(g, "c99", rig, sets, { maxDims: { T: values.length }, build: { extraFlags: ["-O3", "-march=native"] } });
  });
});
