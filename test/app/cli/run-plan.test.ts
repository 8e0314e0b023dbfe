// The run planner of `neonc run` at unit level: folder layouts, output names, input binding.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromNumbers } from "../../../ir/types.js";
import { NeoncError } from "../../../ir/errors.js";
import { bindInputs, listInputDir, planRuns } from "../../../src/adapters/onnx/run-plan.js";
import { tempDir } from "./helpers.js";

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function folder(name: string, files: string[]): string {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const f of files) writeFileSync(path.join(d, f), "");
  return d;
}

function exitCodeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof NeoncError ? e.exitCode : -1;
  }
  return undefined;
}

const t = (v: number) => fromNumbers("f32", [1], [v]);

describe("listInputDir and planRuns", () => {
  it("input_K.pb files make one run in numeric order, with output_K.pb outputs", () => {
    const d = folder("zoo", ["input_10.pb", "input_2.pb", "input_0.pb", "input_1.pb", "output_0.pb", "README.md"].concat(
      Array.from({ length: 7 }, (_, i) => `input_${i + 3}.pb`),
    ));
    const src = listInputDir(d);
    expect(src.kind).toBe("zoo");
    const [job, ...rest] = planRuns(src, ["a"], ["y", "z"], "/out");
    expect(rest).toEqual([]);
    expect(job!.inputs.map((f) => path.basename(f))).toEqual(Array.from({ length: 11 }, (_, i) => `input_${i}.pb`));
    expect(job!.outputs).toEqual(["/out/output_0.pb", "/out/output_1.pb"]);
  });

  it("NAME.input.pb files make one run each, sorted by name, with NAME.output.pb outputs", () => {
    const d = folder("batch", ["b.input.pb", "a.input.pb", "transcripts.tsv", "a.output.pb"]);
    const jobs = planRuns(listInputDir(d), ["x"], ["y"], "/out");
    expect(jobs.map((j) => [j.label, j.inputs.map((f) => path.basename(f)), j.outputs])).toEqual([
      ["a", ["a.input.pb"], ["/out/a.output.pb"]],
      ["b", ["b.input.pb"], ["/out/b.output.pb"]],
    ]);
  });

  it("a batch of a model with several outputs numbers them", () => {
    const d = folder("batch2", ["u.input.pb"]);
    expect(planRuns(listInputDir(d), ["x"], ["y", "h"], "/o")[0]!.outputs).toEqual(["/o/u.output_0.pb", "/o/u.output_1.pb"]);
  });

  it("usage errors: a batch for a two-input model, an empty folder, gaps in input_K", () => {
    const d = folder("batch3", ["u.input.pb"]);
    expect(exitCodeOf(() => planRuns(listInputDir(d), ["a", "b"], ["y"], "/o"))).toBe(2);
    expect(exitCodeOf(() => listInputDir(folder("none", ["x.txt"])))).toBe(2);
    expect(exitCodeOf(() => listInputDir(folder("gap", ["input_1.pb"])))).toBe(2);
    expect(exitCodeOf(() => listInputDir(path.join(dir, "does-not-exist")))).toBe(1);
  });
});

describe("bindInputs", () => {
  it("binds by name first, then by position", () => {
    const bound = bindInputs(["a", "b", "c"], [
      { file: "0", name: "c", tensor: t(3) },
      { file: "1", name: "zzz", tensor: t(2) },
      { file: "2", name: "a", tensor: t(1) },
    ]);
    expect(Object.fromEntries(Object.entries(bound).map(([k, v]) => [k, v.data[0]]))).toEqual({ a: 1, b: 2, c: 3 });
  });

  it("a single tensor for a single input is used whatever its name", () => {
    expect(bindInputs(["x"], [{ file: "f", name: "other", tensor: t(5) }]).x!.data[0]).toBe(5);
  });

  it("refuses duplicates, missing inputs and extra tensors (exit 2)", () => {
    expect(exitCodeOf(() => bindInputs(["a", "b"], [{ file: "1", name: "a", tensor: t(1) }, { file: "2", name: "a", tensor: t(2) }]))).toBe(2);
    expect(exitCodeOf(() => bindInputs(["a", "b"], [{ file: "1", name: "a", tensor: t(1) }]))).toBe(2);
    expect(exitCodeOf(() => bindInputs(["a"], [{ file: "1", name: "a", tensor: t(1) }, { file: "2", name: "q", tensor: t(2) }]))).toBe(2);
  });
});
