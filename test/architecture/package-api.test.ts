// bench/ and examples/ use neonc as a user does: through the package's public faces ("neonc",
// "neonc/testing"), never by deep imports into ir/, passes/, codegen/ or src/ (so whatever they
// need is exported, and the docs that include them show imports that work outside the repo).
// They may import Node's modules, npm packages and files of their own folder.
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/shared.js";
import { sourceTsFiles } from "../helpers/source-files.js";

const USERS = ["bench/", "examples/"];

function files(): string[] {
  return sourceTsFiles(repoRoot).filter((f) => USERS.some((u) => f.startsWith(u)));
}

describe("bench/ and examples/ use the package API", () => {
  const list = files();

  it("finds the benchmarks and examples", () => {
    expect(list).toEqual(expect.arrayContaining(["bench/run.ts", "bench/int8.ts", "examples/digits/demo.ts", "examples/custom-pass/fold-mul-chain.ts"]));
  });

  it("import neonc by its name, and relative files only from their own folder", () => {
    const bad: string[] = [];
    for (const f of list) {
      const top = f.split("/").slice(0, 2).join("/"); // bench/x.ts -> bench/x.ts's folder "bench", examples/a/b.ts -> examples/a
      const home = f.startsWith("bench/") ? "bench" : top;
      for (const { fileName } of ts.preProcessFile(readFileSync(path.join(repoRoot, f), "utf8"), true, true).importedFiles) {
        if (fileName.startsWith(".")) {
          const to = path.posix.normalize(path.posix.join(path.posix.dirname(f), fileName));
          if (!to.startsWith(`${home}/`)) bad.push(`${f} -> ${fileName}`);
        } else if (fileName.startsWith("neonc/") && fileName !== "neonc/testing") {
          bad.push(`${f} -> ${fileName}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
