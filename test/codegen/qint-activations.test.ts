// The int8 form of every activation that can be fused (ir/activation.ts: Relu, Clip, LeakyRelu,
// Sigmoid, Tanh, Elu, Selu, HardSigmoid, HardSwish, Gelu, Softplus, Mish, Swish), in C, bit for
// bit against the interpreter on every rig: a float graph of 1-D convs, each followed by one
// activation (standalone) and one more fused into it by fuse-activation{kinds=all}, calibrated
// and quantized. Relu and Clip become clamps of the QConv; every other kind a QConv and a
// 256-entry QLookup of the activation's own function (standalone ones directly; fused ones after
// the quantize pass writes them as their own node). The integer part has no float in its C.
import { describe, expect, it } from "vitest";
import "../../ir/ops/index.js";
import { fusedKinds } from "../../ir/activation.js";
import type { Graph, Node } from "../../ir/graph.js";
import { makeGraph } from "../../ir/graph.js";
import { isIntegerOp } from "../../ir/traits.js";
import { sym } from "../../ir/dim.js";
import { calibrate } from "../../src/analyses/calibration/calibrate.js";
import { runPipeline } from "../../passes/index.js";
import { quantizeGraph } from "../../passes/quantize/index.js";
import { GraphBuilder } from "../../src/testing/graph-builder.js";
import { Rng, seededTensor } from "../../src/testing/index.js";
import { ALL_RIGS, checkBitExact, expectNoFloat, itOnRigs } from "./helpers.js";

const rng = new Rng(31);
const randomF32 = (r: Rng, shape: number[], min: number, max: number) => seededTensor(r, "f32", shape, { values: { min, max } });
const C = 6;

function floatGraph(): Graph {
  const b = new GraphBuilder("acts");
  const x = b.input("x", { dtype: "f32", shape: [1, C, sym("T")] });
  const outs: string[] = [];
  for (const row of fusedKinds()) {
    const attrs = { ...(row.fn.samples?.[0] ?? {}) };
    for (const how of ["own", "fused"]) {
      const w = b.constant(`${row.kind}_${how}_w`, randomF32(rng, [C, C, 3], -0.6, 0.6));
      const bias = b.constant(`${row.kind}_${how}_b`, randomF32(rng, [C], -0.5, 0.5));
      const [c] = b.node("Conv", [x, w, bias], { pads: [1, 1] }, `${row.kind.toLowerCase()}_${how}_c`);
      const [y] = b.node(row.kind, [c!], attrs as never, `${row.kind.toLowerCase()}_${how}`);
      // The standalone branch's conv output is read twice, so fuse-activation leaves it alone.
      outs.push(...(how === "own" ? [c!, y!] : [y!]));
    }
  }
  return b.build([x], outs);
}

const raw = floatGraph();
// fuse-activation{kinds=all} fuses the "fused" branch of each kind.
const fused = runPipeline(raw, "fuse-activation{kinds=all}");
const data = Array.from({ length: 4 }, () => ({ x: randomF32(rng, [1, C, 40], -2, 2) }));
const q = quantizeGraph(fused, calibrate(fused, data).ranges);

/** The graph between the boundaries: Quantize outputs become int8 inputs, Dequantize inputs the outputs. */
function integerPart(g: Graph): Graph {
  const nodes = g.nodes.filter((n) => n.op !== "Quantize" && n.op !== "Dequantize");
  const inputs = g.nodes.filter((n) => n.op === "Quantize").map((n) => n.outputs[0]!);
  const outputs = g.nodes.filter((n) => n.op === "Dequantize").map((n) => n.inputs[0]!);
  return makeGraph({ ...g, inputs, outputs, nodes: nodes as Node[] });
}

describe("fused activations in int8", () => {
  it("every kind is lowered: a clamp for Relu and Clip, a QConv and a QLookup of the activation otherwise", () => {
    const count = (op: string) => q.nodes.filter((n) => n.op === op).length;
    const kinds = fusedKinds().map((k) => k.kind);
    expect(fused.nodes.filter((n) => n.op === "Conv" && n.attrs.activation).map((n) => n.attrs.activation)).toEqual(kinds);
    expect(q.nodes.filter((n) => !isIntegerOp(n.op))).toEqual([]);
    expect(count("QConv")).toBe(2 * kinds.length);
    expect(count("QLookup")).toBe(2 * kinds.length - 2); // the fused Relu and Clip are clamps
    const producerOfOutput = (o: string) => {
      const dq = q.nodes.find((n) => n.op === "Dequantize" && n.outputs[0] === o)!;
      return q.nodes.find((n) => n.outputs.includes(dq.inputs[0]!))!.op;
    };
    for (const k of kinds) expect(producerOfOutput(`${k.toLowerCase()}_fused`), k).toBe(k === "Relu" || k === "Clip" ? "QConv" : "QLookup");
  });

  const sets = [37, 5].map((t) => ({ x: randomF32(rng, [1, C, t], -2.5, 2.5) }));
  const ints = integerPart(q);

  itOnRigs(ALL_RIGS, (target, rig) => checkBitExact(q, target, rig, sets, { maxDims: { T: 64 } }), "the quantized graph is bit exact on");

  it("the integer part has no floating point in its C (NEON and scalar)", () => {
    expect(ints.inputs.map((i) => ints.types[i]!.dtype)).toEqual(["i8"]);
    expectNoFloat(ints, ["c99", "aarch64", "armv7", "aarch64+dotprod"], { T: 64 });
  });
});
