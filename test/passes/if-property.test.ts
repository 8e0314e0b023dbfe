// Passes keep the numbers of random graphs that hold If nodes: a random speech graph becomes both
// branches of an If whose condition is computed from the input (mean > 0, so random inputs take
// both ways), the then branch scaling the output by a captured constant, the else branch
// negating it, with one captured value neither branch reads; a second If with a constant
// condition follows. canonicalize must inline the second, move the constant into the branches,
// drop the unread capture and clean inside the branches, and keep the numbers; so must -O1.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeGraph, type Graph, type Node } from "../../ir/graph.js";
import { fromNumbers, type Tensor, type TensorType } from "../../ir/types.js";
import { runPipeline } from "../../passes/index.js";
import { arbSpeechGraph, propertyPreserves } from "../../src/testing/index.js";
import { verifyGraph } from "../../ir/verify.js";

const tolerance = { relToMax: 1e-5, atol: 1e-6 };

/** g with its first output passed through one more node (`op` on it and `extra`). */
function branchOf(g: Graph, name: string, op: string, extra: string[], formals: Record<string, TensorType>, out: string): Graph {
  const y = g.outputs[0]!;
  const node: Node = { name: `${name}.last`, op, inputs: [y, ...extra], outputs: [out], attrs: {} };
  return makeGraph({
    name, inputs: [...g.inputs, ...Object.keys(formals)], outputs: [out, ...g.outputs.slice(1)],
    nodes: [...g.nodes, node], types: { ...g.types, ...formals, [out]: g.types[y]! }, constants: g.constants,
  });
}

function withIfs(g: Graph): Graph {
  const f32 = (shape: number[]): TensorType => ({ dtype: "f32", shape });
  const x = g.inputs[0]!;
  const formals = { "if.k": f32([1]), "if.m": f32([]) };
  const thenB = branchOf(g, "then_branch", "Mul", ["if.k"], formals, "if.ty");
  const elseB = branchOf(g, "else_branch", "Neg", [], formals, "if.ey");
  const outs = g.outputs.map((_, k) => `if.o${k}`);
  const t0 = g.types[g.outputs[0]!]!;
  const inner = (name: string, op: string) => makeGraph({
    name, inputs: ["if.in"], outputs: [`${name}.out`], constants: {},
    nodes: [{ name: `${name}.op`, op, inputs: ["if.in"], outputs: [`${name}.out`], attrs: {} }],
    types: { "if.in": t0, [`${name}.out`]: t0 },
  });
  const constants: Record<string, Tensor> = {
    "if.zero": fromNumbers("f32", [], [0]), "if.k": fromNumbers("f32", [1], [2]), "if.t": fromNumbers("bool", [], [1]),
  };
  const types: Record<string, TensorType> = {
    "if.m": f32([]), "if.zero": f32([]), "if.c": { dtype: "bool", shape: [] }, "if.k": f32([1]), "if.t": { dtype: "bool", shape: [] }, "if.z": t0,
  };
  for (const i of g.inputs) types[i] = g.types[i]!;
  g.outputs.forEach((o, k) => (types[outs[k]!] = g.types[o]!));
  const nodes: Node[] = [
    { name: "if.mean", op: "ReduceMean", inputs: [x], outputs: ["if.m"], attrs: { keepdims: 0 } },
    { name: "if.gt", op: "Greater", inputs: ["if.m", "if.zero"], outputs: ["if.c"], attrs: {} },
    { name: "if.pick", op: "If", inputs: ["if.c", ...g.inputs, "if.k", "if.m"], outputs: outs, attrs: { then_branch: thenB, else_branch: elseB } },
    { name: "if.known", op: "If", inputs: ["if.t", outs[0]!], outputs: ["if.z"], attrs: { then_branch: inner("then_branch", "Relu"), else_branch: inner("else_branch", "Neg") } },
  ];
  return makeGraph({ name: g.name, inputs: g.inputs, outputs: ["if.z", ...outs.slice(1)], nodes, types, constants });
}

const graphs: fc.Arbitrary<Graph> = arbSpeechGraph({ maxLayers: 4 }).map(withIfs);

describe("passes keep the numbers of random graphs with If", () => {
  it("canonicalize", () => {
    propertyPreserves((g) => runPipeline(g, "canonicalize", { verifyEach: true }), { tolerance, name: "canonicalize (If)", graph: graphs });
  });

  it("-O1", () => {
    propertyPreserves((g) => runPipeline(g, "-O1", { verifyEach: true, log: () => {} }), { tolerance, name: "-O1 (If)", graph: graphs, numRuns: 60 });
  });

  it("canonicalize inlines the known If and trims the other's captures", () => {
    const g = fc.sample(graphs, { numRuns: 1, seed: 7 })[0]!;
    verifyGraph(g);
    const out = runPipeline(g, "canonicalize", { verifyEach: true });
    const ifs = out.nodes.filter((n) => n.op === "If");
    expect(ifs).toHaveLength(1);
    expect(ifs[0]!.inputs).not.toContain("if.k");
    expect(ifs[0]!.inputs).not.toContain("if.m");
    expect(out.nodes.map((n) => n.op)).toContain("Relu");
    expect(Object.keys((ifs[0]!.attrs["then_branch"] as Graph).constants)).toContain("if.k");
  });
});
