// The wasm32 target: random speech graphs compiled to a WebAssembly module match the interpreter
// (through main.mjs and the generated loader, as `neonc check` runs them), the module imports
// nothing, and the loader model.js does what model.d.ts promises from Node: loads from a file URL
// (its default), from bytes or from a compiled module, binds T from a shape or from the length,
// and refuses bad inputs with one sentence. Skipped with the reason when clang-14 cannot build
// wasm32 here (failing under NEONC_REQUIRE_TARGETS=1).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { arbSpeechGraph } from "../../src/testing/index.js";
import { runPipeline } from "../../passes/index.js";
import { compileGraph, graphSymbols } from "../../codegen/emit-model.js";
import { compareTensors, writeSources, writeWasmModule } from "../../codegen/build.js";
import { randomInputs } from "../../codegen/check.js";
import { CEngine } from "../../codegen/engine.js";
import { wasmImports } from "../../codegen/wasm-toolchain.js";
import { getTarget } from "../../ir/target.js";
import { makeTensor, type Tensor } from "../../ir/types.js";
import type { Graph } from "../../ir/graph.js";
import { UsageError } from "../../ir/errors.js";
import { runGraph } from "../../src/runtime/interpreter.js";
import { checkGraph, rigOrSkip } from "./helpers.js";

const RUNS = Number(process.env.NEONC_PROPERTY_RUNS ?? 6);

interface LoadedModel {
  readonly arenaBytes: number;
  run(inputs: Record<string, unknown>, dims?: Record<string, number>): Record<string, { data: Float32Array; shape: number[] }>;
}
interface Loader {
  load(source?: unknown): Promise<LoadedModel>;
  readonly inputs: readonly { name: string; shape: readonly (number | string)[] }[];
  readonly symbols: readonly string[];
  readonly maxDims: Record<string, number>;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** g compiled for wasm32 (T <= 24) into a fresh folder with model.wasm, and its loader imported. */
async function compiled(g: Graph): Promise<{ dir: string; loader: Loader }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-wasm32-test-"));
  dirs.push(dir);
  const m = compileGraph(g, { target: getTarget("wasm32"), maxDims: { T: 24 } });
  writeSources(m, dir);
  writeWasmModule(m, dir);
  const loader = (await import(pathToFileURL(path.join(dir, "model.js")).href)) as Loader;
  return { dir, loader };
}

/** A fixed small speech graph with a symbolic T (the first one the generator draws with this seed). */
function sampleGraph(): Graph {
  const [g] = fc.sample(arbSpeechGraph({ maxLayers: 4, maxChannels: 6, symbolicT: true }), { numRuns: 1, seed: 99 });
  return runPipeline(g!, "-O1", { log: () => {} });
}

function inputOf(g: Graph, T: number): Tensor {
  return randomInputs(g, { T }, T)[g.inputs[0]!]!;
}

describe("wasm32", () => {
  it("random speech graphs match the interpreter (property)", (ctx) => {
    const rig = rigOrSkip(ctx, "wasm32", "wasm");
    fc.assert(
      fc.property(arbSpeechGraph({ maxLayers: 5, maxChannels: 8, symbolicT: true }), fc.integer({ min: 4, max: 12 }), (g, T) => {
        const graph = runPipeline(g, "-O1", { log: () => {} });
        const inputs = randomInputs(g, Object.fromEntries(graphSymbols(g).map((s) => [s, T])), T);
        const r = checkGraph(graph, "wasm32", rig, [inputs], { maxDims: Object.fromEntries(graphSymbols(g).map((s) => [s, 16])), ref: g, tol: 1e-4 });
        expect(r.worst).toBeLessThanOrEqual(1e-4);
      }),
      { numRuns: RUNS, seed: 2718 },
    );
  }, 600_000);

  it("the module imports nothing and exports the loader's functions", async (ctx) => {
    rigOrSkip(ctx, "wasm32", "wasm");
    const { dir } = await compiled(sampleGraph());
    const bytes = readFileSync(path.join(dir, "model.wasm"));
    expect(wasmImports(bytes)).toEqual([]);
    const exports = (globalThis as unknown as { WebAssembly: { Module: { new (b: Uint8Array): object; exports(m: object): { name: string }[] } } }).WebAssembly;
    const names = exports.Module.exports(new exports.Module(bytes)).map((e) => e.name).sort();
    expect(names).toEqual(["memory", "neonc_alloc", "neonc_arena_size", "neonc_free", "neonc_input_numel", "neonc_output_numel", "neonc_run"]);
  });

  it("the loader runs from a file URL, bytes or a module, binds T from the shape or the length, and matches the interpreter", async (ctx) => {
    rigOrSkip(ctx, "wasm32", "wasm");
    const g = sampleGraph();
    const { dir, loader } = await compiled(g);
    expect(loader.symbols).toEqual(["T"]);
    expect(loader.maxDims).toEqual({ T: 24 });
    const byUrl = await loader.load();
    const byBytes = await loader.load(readFileSync(path.join(dir, "model.wasm")));
    const W = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<object> } }).WebAssembly;
    const byModule = await loader.load(await W.compile(readFileSync(path.join(dir, "model.wasm"))));
    const out = g.outputs[0]!;
    for (const T of [1, 7, 24]) {
      const x = inputOf(g, T);
      const ref = runGraph(g, { [g.inputs[0]!]: x })[out]!;
      const data = x.data as Float32Array;
      const runs = [
        byUrl.run({ [g.inputs[0]!]: data }),
        byBytes.run({ [g.inputs[0]!]: { data, shape: x.shape } }),
        byModule.run({ [g.inputs[0]!]: data }, { T }),
      ];
      for (const r of runs) {
        expect(r[out]!.shape).toEqual(ref.shape);
        const got = makeTensor("f32", r[out]!.shape);
        (got.data as Float32Array).set(r[out]!.data);
        expect(compareTensors(got, ref).rel).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it("the loader refuses bad inputs with one sentence", async (ctx) => {
    rigOrSkip(ctx, "wasm32", "wasm");
    const g = sampleGraph();
    const { loader } = await compiled(g);
    const m = await loader.load();
    const name = g.inputs[0]!;
    const ch = Number(loader.inputs[0]!.shape[1]);
    expect(() => m.run({})).toThrow(`missing input "${name}"`);
    expect(() => m.run({ [name]: new Float64Array(ch * 4) })).toThrow(`input "${name}" must be a Float32Array (f32)`);
    expect(() => m.run({ [name]: new Float32Array(ch * 25) })).toThrow("T = 25 is outside 1..24, the range the module was compiled for");
    expect(() => m.run({ [name]: new Float32Array(ch * 4 + 1) })).toThrow("no input determines the symbolic dim T");
    expect(() => m.run({ [name]: new Float32Array(ch * 4) }, { T: 5 })).toThrow(`input "${name}" has ${ch * 4} elements, the model expects ${ch * 5}`);
    expect(() => m.run({ [name]: { data: new Float32Array(ch * 4), shape: [1, ch] } })).toThrow(`input "${name}" has 2 dims, the model expects 3`);
  });

  it("per-node profiles are refused for wasm32 (the module has no clock)", (ctx) => {
    rigOrSkip(ctx, "wasm32", "wasm");
    expect(() => CEngine.create(sampleGraph(), { target: "wasm32", maxDims: { T: 8 }, profile: true })).toThrow(UsageError);
  });
});
