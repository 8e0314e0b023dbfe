// Every code example of docs/testing.md runs here, as a reader would run it:
// - a ```ts block whose first line is a path comment (`// my-passes/x.ts`) is a file of the
//   reader's project; the others are snippets. "neonc" and "neonc/testing" resolve to this
//   repository's sources (the reader has the package installed);
// - a block that declares tests (`it(...)`, `describe(...)`) is imported while this file is
//   collected, so they become tests of this file; a file of the reader's project is imported by
//   the blocks that use it; every other snippet is imported inside a test of its own, which fails
//   when the snippet throws;
// - a ```ir block with a `// RUN:` line is a golden fixture and must pass.
// The files go to a fresh folder under .tmp/ in the repository, where node_modules resolves.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkGoldenFixture } from "../../src/testing/index.js";
import { repoRoot } from "../helpers/shared.js";

interface Block {
  readonly lang: string;
  readonly line: number;
  readonly code: string;
}

const DOC = "docs/testing.md";
const text = readFileSync(path.join(repoRoot, DOC), "utf8");

function blocks(md: string): Block[] {
  const out: Block[] = [];
  const lines = md.split("\n");
  for (let k = 0; k < lines.length; k++) {
    const open = /^```(\w*)\s*$/.exec(lines[k]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > k && l.startsWith("```"));
    if (end < 0) throw new Error(`${DOC}:${k + 1}: a code block is not closed`);
    out.push({ lang: open[1]!, line: k + 1, code: lines.slice(k + 1, end).join("\n") });
    k = end;
  }
  return out;
}

const all = blocks(text);
const ts = all.filter((b) => b.lang === "ts");
const fixtures = all.filter((b) => b.lang === "ir");

const dir = path.join(repoRoot, ".tmp", `docs-testing-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
const src = (p: string) => JSON.stringify(path.join(repoRoot, p));
/** The reader's imports of the package, pointed at this repository's sources. */
const localize = (code: string) => code.replace(/from "neonc\/testing"/g, `from ${src("src/testing/index.ts")}`).replace(/from "neonc"/g, `from ${src("src/index.ts")}`);

const files = ts.map((b) => {
  const named = /^\/\/ ([\w./-]+\.ts)\s*$/.exec(b.code.split("\n")[0]!);
  const rel = named ? named[1]! : `snippets/line-${b.line}.ts`;
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, localize(b.code));
  return { block: b, rel, file, declaresTests: /^\s*(it|describe)\(/m.test(b.code), snippet: !named };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`${DOC} examples`, () => {
  it("has TypeScript examples and a fixture", () => {
    expect(ts.length).toBeGreaterThanOrEqual(6);
    expect(fixtures.length).toBeGreaterThanOrEqual(1);
  });
  for (const f of files.filter((x) => x.snippet && !x.declaresTests)) {
    it(`the example at line ${f.block.line} runs`, async () => {
      await import(pathToFileURL(f.file).href);
    });
  }
  for (const b of fixtures.filter((x) => /^\/\/ RUN:/m.test(x.code))) {
    it(`the fixture at line ${b.line} passes`, () => checkGoldenFixture(b.code, { name: `${DOC}:${b.line}` }));
  }
});

// The examples that declare tests: their `it(...)` register here, at collection time.
for (const f of files.filter((x) => x.declaresTests)) await import(pathToFileURL(f.file).href);
