// `neonc inspect`: the text and JSON reports on small models written by the test, including a
// model the importer refuses (the report must still list what it can, and exit 1).
import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, f32, neonc, oneLineError, readJson, tempDir, writeModel } from "./helpers.js";

let dir: string;
let unsupported: string;
let relu: string;
let matmul: string;
let batched: string;

beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  unsupported = writeModel(path.join(dir, "unsupported.onnx"), {
    inputs: [{ name: "x", shape: [1, 4, "T"] }],
    outputs: [{ name: "z", shape: [1, 4, "T"] }],
    nodes: [
      { op: "Relu", inputs: ["x"], outputs: ["r"], name: "relu0" },
      { op: "Frobnicate", inputs: ["r"], outputs: ["f"], name: "frob0" },
      { op: "Frobnicate", inputs: ["f"], outputs: ["g"], name: "frob1" },
      { op: "Wobble", inputs: ["g"], outputs: ["z"], name: "wob0", domain: "com.example" },
    ],
    initializers: { unused: f32([2, 3], [1, 2, 3, 4, 5, 6]) },
  });
  relu = writeModel(path.join(dir, "relu.onnx"), {
    inputs: [{ name: "x", shape: [1, 3, "T"] }],
    outputs: [{ name: "y", shape: [1, 3, "T"] }],
    nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
  });
  // x[T,4] @ w[4,5]: 20 MACs per time step.
  matmul = writeModel(path.join(dir, "matmul.onnx"), {
    inputs: [{ name: "x", shape: ["T", 4] }],
    outputs: [{ name: "y", shape: ["T", 5] }],
    nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"], name: "proj" }],
    initializers: { w: f32([4, 5], Array.from({ length: 20 }, (_, i) => i / 10)) },
  });
  // x[N,T,4] @ w[4,5]: 20*N*T MACs, not linear in the dims.
  batched = writeModel(path.join(dir, "batched.onnx"), {
    inputs: [{ name: "x", shape: ["N", "T", 4] }],
    outputs: [{ name: "y", shape: ["N", "T", 5] }],
    nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"], name: "proj" }],
    initializers: { w: f32([4, 5], Array.from({ length: 20 }, (_, i) => i / 10)) },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a model with unsupported ops", () => {
  it("--json still reports the file's ops, parameters and inputs, lists the unsupported ops, and exits 1", () => {
    const r = neonc("inspect", unsupported, "--json");
    expect(r.code).toBe(1);
    expect(oneLineError(r)).toMatch(/Frobnicate/);
    const j = readJson(r.stdout);
    expect(j.model).toBe(unsupported);
    expect(j.imported).toBe(false);
    expect(j.importError).toMatch(/Frobnicate/);
    expect(j.opset).toBe(13);
    expect(j.nodes).toBe(4);
    expect(j.ops).toEqual({ Frobnicate: 2, Relu: 1, "com.example:Wobble": 1 });
    expect(j.parameters).toEqual({ tensors: 1, count: 6, bytes: 24 });
    expect(j.inputs).toEqual([{ name: "x", dtype: "f32", shape: [1, 4, "T"] }]);
    expect(j.outputs).toEqual([{ name: "z", dtype: "f32", shape: [1, 4, "T"] }]);
    expect(j.macs).toBeNull();
    const ops = (j.unsupportedOps as { op: string; domain: string; count: number; nodes: string[] }[])
      .map((u) => `${u.domain}|${u.op}|${u.count}|${u.nodes.join(",")}`)
      .sort();
    expect(ops).toContain("|Frobnicate|2|frob0,frob1");
    expect(ops).toContain("com.example|Wobble|1|wob0");
    expect(ops.some((o) => o.includes("|Relu|"))).toBe(false);
  });

  it("the text report names the unsupported ops and their nodes", () => {
    const r = neonc("inspect", unsupported);
    expect(r.code).toBe(1);
    oneLineError(r);
    expect(r.stdout).toMatch(/^unsupported ops$/m);
    expect(r.stdout).toMatch(/Frobnicate\s+2 nodes \(frob0, frob1\)/);
    expect(r.stdout).toMatch(/com\.example:Wobble\s+1 node \(wob0\)/);
    expect(r.stdout).toMatch(/MACs per layer: not available/);
    expect(r.stdout).toMatch(/^inputs\s+x\s+f32\[1,4,T\]$/m);
  });
});

describe("an imported model", () => {
  it("--json reports types with symbolic dims and no unsupported ops", () => {
    const r = neonc("inspect", relu, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = readJson(r.stdout);
    expect(j.imported).toBe(true);
    expect(j.importError).toBeNull();
    expect(j.inputs).toEqual([{ name: "x", dtype: "f32", shape: [1, 3, "T"] }]);
    expect(j.outputs).toEqual([{ name: "y", dtype: "f32", shape: [1, 3, "T"] }]);
    expect(j.ops).toEqual({ Relu: 1 });
    expect(j.unsupportedOps).toEqual([]);
    expect(j.parameters).toEqual({ tensors: 0, count: 0, bytes: 0 });
    expect(j.macs).toMatchObject({ total: 0, totalAtDims: 0, layers: [] });
  });

  it("reports MACs per layer as an expression and at T=100 by default", () => {
    const r = neonc("inspect", matmul, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = readJson(r.stdout);
    expect(j.dims).toEqual({ T: 100 });
    expect(j.parameters).toEqual({ tensors: 1, count: 20, bytes: 80 });
    expect(j.macs.layers).toEqual([{ node: "proj", op: "MatMul", macs: "20*T", macsAtDims: 2000 }]);
    expect(j.macs.total).toBe("20*T");
    expect(j.macs.totalAtDims).toBe(2000);
  });

  it("--dim evaluates the MACs at another T", () => {
    const r = neonc("inspect", matmul, "--json", "--dim", "T=50");
    expect(r.code).toBe(0);
    const j = readJson(r.stdout);
    expect(j.dims).toEqual({ T: 50 });
    expect(j.macs.totalAtDims).toBe(1000);
  });

  it("the text report shows the expression and its value", () => {
    const r = neonc("inspect", matmul);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^MACs per layer \(evaluated at T=100\)$/m);
    expect(r.stdout).toMatch(/proj\s+MatMul\s+20\*T\s+2,000/);
    expect(r.stdout).toMatch(/^unsupported ops: none$/m);
    expect(r.stdout).toMatch(/^params\s+20 in 1 tensors/m);
  });
});

describe("a count over a symbolic batch and time (not linear in the dims)", () => {
  it("is counted at the given dims, with no symbolic total", () => {
    const r = neonc("inspect", batched, "--json", "--dim", "N=3", "--dim", "T=7");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = readJson(r.stdout);
    expect(j.macs.layers).toMatchObject([{ node: "proj", op: "MatMul", macs: null, macsAtDims: 20 * 3 * 7 }]);
    expect(j.macs.layers[0].error).toMatch(/^not linear in the dims \(cannot multiply two symbolic dims/);
    expect(j.macs.total).toBeNull();
    expect(j.macs.totalAtDims).toBe(420);
    expect(neonc("inspect", batched, "--dim", "N=3", "--dim", "T=7").stdout).toMatch(/proj\s+MatMul\s+\(not linear in the dims\)\s+420/);
  });
  it("without a value for N has no count and says which dim to give", () => {
    const r = neonc("inspect", batched, "--json");
    expect(r.code).toBe(0);
    const j = readJson(r.stdout);
    expect(j.unboundDims).toEqual(["N"]);
    expect(j.macs.layers[0]).toMatchObject({ macs: null, macsAtDims: null });
    expect(j.macs.total).toBeNull();
    expect(j.macs.totalAtDims).toBeNull();
  });
});
