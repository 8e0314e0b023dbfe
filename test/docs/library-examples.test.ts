// The docs' code runs: every examples/library/*.ts (docs/library.md: each CLI job as library
// calls) runs from the built package as a user would run it, and every code block of the docs
// that names an example file in its first line is that file, verbatim. No code block in the docs
// imports neonc's sources by path (users import "neonc" / "neonc/testing"), every name a block
// imports from them is exported, and every path given to --load in the README and docs exists.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "../app/cli/helpers.js";

const DOCS = [...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`), "README.md", "examples/custom-pass/README.md"];
const EXAMPLES = readdirSync(path.join(ROOT, "examples/library")).filter((f) => f.endsWith(".ts")).sort();

interface Block {
  readonly doc: string;
  readonly line: number;
  readonly lang: string;
  readonly text: string;
}

function blocks(): Block[] {
  const out: Block[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(path.join(ROOT, doc), "utf8");
    for (const m of text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
      out.push({ doc, line: text.slice(0, m.index).split("\n").length, lang: m[1]!, text: m[2]! });
    }
  }
  return out;
}

describe("the docs' examples", () => {
  beforeAll(() => ensureBuilt());

  it("every examples/library file is shown verbatim in docs/library.md", () => {
    const shown = blocks().filter((b) => /^\/\/ examples\/\S+\.ts\b/.test(b.text));
    for (const b of shown) {
      const file = /^\/\/ (examples\/\S+\.ts)/.exec(b.text)![1]!;
      expect(existsSync(path.join(ROOT, file)), `${b.doc}:${b.line} shows ${file}, which does not exist`).toBe(true);
      expect(b.text, `${b.doc}:${b.line} differs from ${file}`).toBe(readFileSync(path.join(ROOT, file), "utf8"));
    }
    const inLibrary = shown.filter((b) => b.doc === "docs/library.md").map((b) => /^\/\/ examples\/library\/(\S+\.ts)/.exec(b.text)?.[1]);
    expect(inLibrary.sort()).toEqual(EXAMPLES);
  });

  it("no code block imports neonc's sources by path", () => {
    const bad = blocks()
      .filter((b) => ["ts", "typescript", "js"].includes(b.lang))
      .flatMap((b) => [...b.text.matchAll(/from "([^"]+)"/g)].map((m) => ({ b, spec: m[1]! })))
      .filter(({ spec }) => /(^|\/)(src|passes|ir|codegen)\//.test(spec) || /^\.\/(src|passes|ir|codegen)\b/.test(spec))
      .map(({ b, spec }) => `${b.doc}:${b.line} imports ${spec}`);
    expect(bad).toEqual([]);
  });

  it("every name a code block imports from neonc or neonc/testing is exported by the package", () => {
    // The built declarations are the package's public faces, as a user's compiler sees them.
    const entry = { neonc: "dist/src/index.d.ts", "neonc/testing": "dist/src/testing/index.d.ts" } as const;
    const program = ts.createProgram(Object.values(entry).map((f) => path.join(ROOT, f)), { noEmit: true, skipLibCheck: true });
    const checker = program.getTypeChecker();
    const exported = (spec: keyof typeof entry) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, entry[spec]))!)!;
      return new Set(checker.getExportsOfModule(symbol).map((e) => e.name));
    };
    const names = { neonc: exported("neonc"), "neonc/testing": exported("neonc/testing") };
    const missing = blocks()
      .flatMap((b) => [...b.text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(neonc(?:\/testing)?)"/g)].map((m) => ({ b, list: m[1]!, spec: m[2] as keyof typeof entry })))
      .flatMap(({ b, list, spec }) => list.split(",").map((n) => n.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!).filter((n) => n !== "" && !names[spec].has(n)).map((n) => `${b.doc}:${b.line} imports ${n} from ${spec}`));
    expect(missing).toEqual([]);
  });

  it("every --load path in the README and docs exists", () => {
    const missing: string[] = [];
    for (const doc of DOCS) {
      for (const m of readFileSync(path.join(ROOT, doc), "utf8").matchAll(/--load (\S+\.(?:js|ts|mjs))/g)) {
        const file = m[1]!;
        if (!/^(examples|dist)\//.test(file)) continue; // placeholders such as ./my-pass.js
        if (!existsSync(path.join(ROOT, file))) missing.push(`${doc}: ${file}`);
      }
    }
    expect(missing).toEqual([]);
  });

  for (const file of EXAMPLES) {
    it(`examples/library/${file} runs`, () => {
      const js = path.join(ROOT, "dist/examples/library", file.replace(/\.ts$/, ".js"));
      const r = spawnSync(process.execPath, [js], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
      expect(r.status, `${file}:\n${r.stderr}`).toBe(0);
      expect(r.stdout.trim()).not.toBe("");
    }, 300_000);
  }
});
