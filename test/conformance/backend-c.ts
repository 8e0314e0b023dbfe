// The C conformance check shared by the backend-c suites: a backend test's data sets go through
// the model pipeline `neonc compile` runs (-O1, codegenStages) and the generated C for a target,
// and its outputs are compared with the expected ones at the backend tolerance.
//
// One build per test would cost a compiler run (and a qemu start) each: instead every test that
// is expected to pass is put side by side into one merged graph (values renamed per test), built
// once per target and run once. Should that build fail, each test is built alone, so a failure
// still names its test.
import { readdirSync } from "node:fs";
import path from "node:path";
import { CEngine, compileModel, rigFor, rigMissing, type RunMode } from "../../codegen/index.js";
import { getTarget } from "../../ir/target.js";
import { makeGraph, type Graph, type Node } from "../../ir/graph.js";
import type { Tensor } from "../../ir/types.js";
import { compareTensors } from "../../src/testing/index.js";
import { backendRoot, backendTolerance, loadBackendSets, readExpectedFailures, type BackendSet } from "../helpers/backend-cases.js";

/** Tests the interpreter fails (they cannot pass through C either). */
export const interpreterFailures = readExpectedFailures(new URL("./expected-failures.txt", import.meta.url));
/** Tests that the interpreter passes but the generated C does not, with the reason. */
export const cFailures = readExpectedFailures(new URL("./c-expected-failures.txt", import.meta.url));

/** Backend test names (NEONC_ONLY=substring restricts them), without the interpreter's known failures. */
export function backendTestNames(): string[] {
  const only = process.env.NEONC_ONLY;
  if (!backendRoot) return [];
  return readdirSync(backendRoot)
    .filter((d) => d.startsWith("test_") && (!only || d.includes(only)) && !interpreterFailures.has(d))
    .sort();
}

/** Data sets that share one graph (a plain import; a bound import is one graph per set). */
interface Unit {
  readonly test: string;
  readonly graph: Graph;
  readonly sets: readonly BackendSet[];
}

function unitsOf(test: string): Unit[] | string {
  const sets = loadBackendSets(path.join(backendRoot!, test));
  if (typeof sets === "string") return sets;
  const groups = new Map<Graph, BackendSet[]>();
  for (const s of sets) groups.set(s.graph, [...(groups.get(s.graph) ?? []), s]);
  return [...groups].map(([graph, group]) => ({ test, graph, sets: group }));
}

/** Graphs side by side in one graph, every value and node name prefixed by `u<k>_` (names are local to a unit). */
function mergeGraphs(graphs: readonly Graph[]): Graph {
  const inputs: string[] = [], outputs: string[] = [], nodes: Node[] = [];
  const typeMap: Record<string, Graph["types"][string]> = {}, constants: Record<string, Tensor> = {};
  graphs.forEach((g, k) => {
    const r = (v: string) => (v === "" ? "" : `u${k}_${v}`);
    inputs.push(...g.inputs.map(r));
    outputs.push(...g.outputs.map(r));
    for (const n of g.nodes) nodes.push({ ...n, name: r(n.name), inputs: n.inputs.map(r), outputs: n.outputs.map(r) });
    for (const [v, t] of Object.entries(g.types)) typeMap[r(v)] = t;
    for (const [v, t] of Object.entries(g.constants)) constants[r(v)] = t;
  });
  return makeGraph({ name: "backend_tests", inputs, outputs, nodes, types: typeMap, constants });
}

/** Runs units through one build of their merged graph; per unit, undefined or why it failed. */
function runMerged(units: readonly Unit[], target: string, mode: RunMode): (string | undefined)[] {
  // -O1 keeps the builds quick; the shared-model suites cover the -O2/-O3 builds.
  const rig = rigFor(getTarget(target), mode, "-O1");
  const width = Math.max(...units.map((u) => u.sets.length));
  let compiled;
  try {
    compiled = compileModel(mergeGraphs(units.map((u) => u.graph)), { target, log: () => {} });
  } catch (e) {
    return units.map(() => `compile: ${(e as Error).message}`);
  }
  // Input set j of the merged graph holds set j of every unit (a unit with fewer sets repeats its last).
  const merged: Record<string, Tensor>[] = Array.from({ length: width }, (_, j) => {
    const inputs: Record<string, Tensor> = {};
    units.forEach((u, k) => {
      const s = u.sets[Math.min(j, u.sets.length - 1)]!;
      for (const [v, t] of Object.entries(s.inputs)) inputs[`u${k}_${v}`] = t;
    });
    return inputs;
  });
  let runs;
  try {
    runs = CEngine.fromCompiled(compiled.graph, compiled.model, rig).run(merged).runs;
  } catch (e) {
    return units.map(() => `run: ${(e as Error).message}`);
  }
  return units.map((u, k) => {
    for (const [j, set] of u.sets.entries()) {
      for (const [i, want] of set.expected.entries()) {
        const output = `u${k}_${u.graph.outputs[i]!}`;
        const got = runs[j]!.outputs[output];
        if (!got) return `${set.name}: output ${u.graph.outputs[i]} is not an output of the compiled graph`;
        const why = compareTensors(want, got, backendTolerance(want.dtype));
        if (why) return `${set.name}: output ${u.graph.outputs[i]}: ${why}`;
      }
    }
    return undefined;
  });
}

/**
 * Runs backend tests through the generated C for a target: all in one merged build, or, when
 * that build fails, each test alone. Returns per test undefined (passed) or why it failed.
 */
export function runBackendTestsInC(tests: readonly string[], target: string, mode: RunMode): Map<string, string | undefined> {
  const result = new Map<string, string | undefined>();
  const units: Unit[] = [];
  for (const t of tests) {
    const u = unitsOf(t);
    if (typeof u === "string") result.set(t, u);
    else units.push(...u);
  }
  const record = (us: readonly Unit[], why: readonly (string | undefined)[]) =>
    us.forEach((u, k) => result.set(u.test, result.get(u.test) ?? why[k]));
  if (units.length === 0) return result;
  const together = runMerged(units, target, mode);
  const wholeFailed = units.length > 1 && together.every((w) => w !== undefined && /^(compile|run): /.test(w));
  if (!wholeFailed) record(units, together);
  else for (const t of new Set(units.map((u) => u.test))) {
    const mine = units.filter((u) => u.test === t);
    record(mine, runMerged(mine, target, mode));
  }
  return result;
}

/** True when the generated code for a NEON target uses NEON intrinsics in the model's kernels. */
export function usesNeon(test: string): boolean {
  const units = unitsOf(test);
  if (typeof units === "string") return false;
  try {
    const compiled = compileModel(units[0]!.graph, { target: "aarch64", log: () => {} });
    return /\bv(ld|st)1q?_/.test(compiled.model.files["model.c"] ?? "");
  } catch {
    return false;
  }
}

/** True when a rig's tools are here (the tests themselves skip or fail through rigOrSkip). */
export function rigPresent(target: string, mode: RunMode): boolean {
  return rigMissing(rigFor(getTarget(target), mode)) === undefined;
}
