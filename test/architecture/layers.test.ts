// The layer check: every relative import in the project must point down the layers of
// DESIGN.md, never up, and folders must not import each other in a cycle. The layers, from the
// bottom:
//
//   0 ir/                  types, graph, op definitions with their reference kernels (ir/kernels),
//                          the error classes every layer raises
//   1 src/runtime/         the interpreter
//   2 src/analyses/        autodiff, calibration, ASR scoring
//   3 passes/              the pass manager and the passes (no file system, no terminal)
//   4 codegen/             C generation, building and running it
//   5 src/adapters/        ONNX import and export, tensor files
//   6 src/testing/, src/index.ts          the library's public faces
//   7 src/app/             the command line and the INT8 report
//   8 bench/, examples/, test/             users of the library
//
// ir/ imports nothing outside ir/ (npm packages aside); nothing imports src/app/cli but the CLI
// and its tests (test/app/cli: the tests mirror the source tree); the lower layers (0-3) never
// import node:fs, node:child_process or a terminal library.
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/shared.js";
import { sourceTsFiles } from "../helpers/source-files.js";

const LAYERS: readonly [string, number][] = [
  ["ir/", 0],
  ["src/runtime/", 1],
  ["src/analyses/", 2],
  ["passes/", 3],
  ["codegen/", 4],
  ["src/adapters/", 5],
  ["src/testing/", 6],
  ["src/index.ts", 6],
  ["src/app/", 7],
  ["bench/", 8],
  ["examples/", 8],
  ["test/", 8],
];

/** Node modules that only the upper layers (4 and above) may use: files, processes, terminals. */
const HOST_MODULES = ["node:fs", "fs", "node:child_process", "child_process", "node:readline", "cli-progress"];

function layerOf(file: string): number {
  const hit = LAYERS.find(([prefix]) => (prefix.endsWith("/") ? file.startsWith(prefix) : file === prefix));
  if (!hit) throw new Error(`${file} is in no layer: add its folder to LAYERS in test/architecture/layers.test.ts`);
  return hit[1];
}

/**
 * The source path a test file mirrors (the tests mirror the source tree): test/app/cli/x.ts is
 * src/app/cli/x.ts, test/codegen/x.ts is codegen/x.ts. Other files are themselves.
 */
function mirrored(file: string): string {
  if (!file.startsWith("test/")) return file;
  const rest = file.slice("test/".length);
  return ["ir/", "passes/", "codegen/"].some((top) => rest.startsWith(top)) ? rest : `src/${rest}`;
}

interface Import {
  readonly from: string;
  /** Repository-relative .ts path for relative imports, the module name otherwise. */
  readonly to: string;
  readonly relative: boolean;
}

function sourceFiles(): string[] {
  // Files at the top (vitest.config.ts) configure tools; they are in no layer.
  return sourceTsFiles(repoRoot).filter((f) => f.includes("/"));
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(path.join(repoRoot, file), "utf8"), true, true);
  return info.importedFiles.map(({ fileName }) => {
    if (!fileName.startsWith(".")) return { from: file, to: fileName, relative: false };
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
    return { from: file, to: resolved.replace(/\.js$/, ".ts"), relative: true };
  });
}

const files = sourceFiles();
const imports = files.flatMap(importsOf);

describe("layers", () => {
  it("ir/ imports nothing from outside ir/", () => {
    const bad = imports.filter((i) => i.relative && i.from.startsWith("ir/") && !i.to.startsWith("ir/"));
    expect(bad.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });

  it("every import points down the layers", () => {
    const bad = imports
      .filter((i) => i.relative && layerOf(i.to) > layerOf(i.from))
      .map((i) => `${i.from} (layer ${layerOf(i.from)}) -> ${i.to} (layer ${layerOf(i.to)})`);
    expect(bad).toEqual([]);
  });

  it("only the CLI and its tests import src/app/cli", () => {
    const bad = imports.filter((i) => i.relative && i.to.startsWith("src/app/cli/") && !mirrored(i.from).startsWith("src/app/cli/"));
    expect(bad.map((i) => `${i.from} -> ${i.to}`)).toEqual([]);
  });

  it("the layers below codegen touch no files, processes or terminals", () => {
    const bad = imports.filter((i) => !i.relative && layerOf(i.from) <= 3 && HOST_MODULES.includes(i.to));
    expect(bad.map((i) => `${i.from} imports ${i.to}`)).toEqual([]);
  });

  it("no two folders import each other, directly or through others (a folder and its subfolders count as one)", () => {
    // Folder graph: an edge a -> b when a file directly in a imports one directly in b, unless
    // one folder contains the other.
    const contains = (a: string, b: string) => a === b || b.startsWith(`${a}/`);
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      if (!i.relative || i.from.startsWith("test/")) continue;
      const a = path.posix.dirname(i.from), b = path.posix.dirname(i.to);
      if (contains(a, b) || contains(b, a)) continue;
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a)!.add(b);
    }
    expect(folderCycles(edges)).toEqual([]);
  });
});

/** Strongly connected groups of more than one folder (Tarjan), each as a sorted list. */
function folderCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); group.push(w); } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}
