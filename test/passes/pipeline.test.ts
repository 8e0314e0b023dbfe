// The pipeline parser: names, options with their types and defaults, presets, and the errors a
// user sees for typos (with the nearest name suggested).
import { describe, expect, it } from "vitest";
import { boolOption, enumOption, floatOption, intOption } from "../../passes/options.js";
import { definePass } from "../../passes/pass.js";
import { parsePipeline, pipelineToString } from "../../passes/pipeline.js";
import { describePasses, registerPass } from "../../passes/registry.js";
import { levenshtein, nearest } from "../../passes/suggest.js";
import { UsageError } from "../../ir/errors.js";
import "../../passes/index.js";

const withOptions = definePass({
  name: "test-options",
  doc: "A pass with one option of each kind, for the parser tests.",
  options: {
    m: intOption(4, "tile size", { min: 2, max: 8 }),
    per_channel: boolOption(false, "per-channel scales"),
    mode: enumOption(["fast", "exact"], "exact", "how to compute"),
    ratio: floatOption(0.5, "a ratio"),
  },
  run: (g, ctx) => {
    // The options arrive typed: this line would not compile if m were a string.
    const m: number = ctx.options.m;
    void m;
    return g;
  },
});
registerPass(withOptions);

const err = (text: string): string => {
  try {
    parsePipeline(text);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`"${text}" parsed without error`);
};

describe("pipeline strings", () => {
  it("parses names, options and defaults into typed values", () => {
    const p = parsePipeline("canonicalize, test-options{m=6, per_channel=true} ,fold-batchnorm");
    expect(p.map((s) => (s.kind === "pass" ? s.pass.name : s.name))).toEqual(["canonicalize", "test-options", "fold-batchnorm"]);
    const step = p[1]!;
    expect(step.kind).toBe("pass");
    if (step.kind === "pass") expect(step.options).toEqual({ m: 6, per_channel: true, mode: "exact", ratio: 0.5 });
    expect(pipelineToString(p)).toBe("canonicalize,test-options{m=6, per_channel=true},fold-batchnorm");
  });

  it("accepts an empty pipeline and empty option braces", () => {
    expect(parsePipeline("")).toEqual([]);
    expect(parsePipeline("  ")).toEqual([]);
    const [s] = parsePipeline("test-options{}");
    expect(s!.kind === "pass" && s!.options).toEqual({ m: 4, per_channel: false, mode: "exact", ratio: 0.5 });
  });

  it("expands presets into a fixed-point group", () => {
    const [s] = parsePipeline("-O1");
    expect(s!.kind).toBe("fixpoint");
    if (s!.kind === "fixpoint") {
      expect(s!.steps.map((x) => (x.kind === "pass" ? x.pass.name : x.name))).toEqual(["canonicalize", "conv2d-to-1d", "fold-batchnorm", "fuse-activation"]);
      expect(s!.maxRounds).toBeGreaterThan(1);
    }
    expect(err("O1")).toBe("'O1' is a preset; write it as '-O1'");
    expect(err("-O2")).toBe("unknown preset '-O2'; did you mean '-O1'?");
    expect(err("-O1{x=1}")).toBe("preset '-O1' takes no options");
  });

  it("suggests the nearest pass for an unknown name", () => {
    expect(err("canonicalize,fold-batchnrom")).toBe("unknown pass 'fold-batchnrom'; did you mean 'fold-batchnorm'?");
    expect(err("canonicalise")).toBe("unknown pass 'canonicalise'; did you mean 'canonicalize'?");
    expect(err("quantum-entangle")).toBe("unknown pass 'quantum-entangle' (`neonc passes` lists the passes)");
  });

  it("checks option names and value types", () => {
    expect(err("test-options{tile=4}")).toMatch(/^unknown option 'tile' for pass 'test-options' \(options: m, per_channel, mode, ratio\)$/);
    expect(err("test-options{per_chanel=true}")).toMatch(/^unknown option 'per_chanel' for pass 'test-options'; did you mean 'per_channel'\?/);
    expect(err("test-options{m=four}")).toBe("option 'm' of pass 'test-options' must be an integer, got 'four'");
    expect(err("test-options{m=2.5}")).toBe("option 'm' of pass 'test-options' must be an integer, got '2.5'");
    expect(err("test-options{m=16}")).toBe("option 'm' of pass 'test-options' must be at most 8, got 16");
    expect(err("test-options{per_channel=yes}")).toBe("option 'per_channel' of pass 'test-options' must be true or false, got 'yes'");
    expect(err("test-options{mode=fats}")).toBe("option 'mode' of pass 'test-options' must be one of fast, exact, got 'fats'; did you mean 'fast'?");
    expect(err("test-options{ratio=abc}")).toBe("option 'ratio' of pass 'test-options' must be a number, got 'abc'");
    expect(err("canonicalize{m=1}")).toMatch(/unknown option 'm' for pass 'canonicalize'/);
    expect(err("conv2d-to-1d{m=1}")).toBe("pass 'conv2d-to-1d' takes no options, got 'm'");
  });

  it("reports syntax errors in one sentence", () => {
    expect(err("canonicalize,")).toBe(`bad pipeline "canonicalize,": expected a pass name after the last ','`);
    expect(err("test-options{m=4")).toBe(`bad pipeline "test-options{m=4": the options of 'test-options' are missing a closing '}'`);
    expect(err("test-options{m}")).toBe(`bad pipeline "test-options{m}": option 'm' of 'test-options' needs a value (write m=VALUE)`);
    expect(err("test-options{m=4,m=5}")).toBe(`bad pipeline "test-options{m=4,m=5}": option 'm' of 'test-options' is given twice`);
    expect(err("canonicalize conv2d-to-1d")).toBe(`bad pipeline "canonicalize conv2d-to-1d": expected ',' after 'canonicalize', found 'c'`);
    expect(err("a,,b")).toMatch(/expected a pass name at ',b'/);
  });

  it("lists every pass with its doc and options", () => {
    const text = describePasses();
    for (const name of ["canonicalize", "fold-batchnorm", "fuse-activation", "conv2d-to-1d", "test-options"]) expect(text).toContain(name);
    expect(text).toContain("m: int = 4  tile size");
    expect(text).toContain("mode: fast|exact = exact  how to compute");
    expect(text).toMatch(/-O1 .*canonicalize,conv2d-to-1d,fold-batchnorm,fuse-activation/);
  });
});

describe("name suggestions", () => {
  it("computes edit distances", () => {
    expect(levenshtein("kitten", "sitting")).toBe(3);
    expect(levenshtein("", "abc")).toBe(3);
    expect(levenshtein("same", "same")).toBe(0);
  });
  it("suggests only plausible typos", () => {
    expect(nearest("fold-bn", ["fold-batchnorm", "conv2d-to-1d"])).toBeUndefined();
    expect(nearest("conv2d-to1d", ["fold-batchnorm", "conv2d-to-1d"])).toBe("conv2d-to-1d");
  });
});

describe("definePass", () => {
  it("refuses bad names and multi-line docs", () => {
    expect(() => definePass({ name: "Bad_Name", doc: "x", run: (g) => g })).toThrow(/lower-case/);
    expect(() => definePass({ name: "ok-name", doc: "two\nlines", run: (g) => g })).toThrow(/one-line doc/);
  });
  it("refuses a second, different pass under a registered name", () => {
    expect(() => registerPass(definePass({ name: "canonicalize", doc: "impostor", run: (g) => g }))).toThrow(/already registered/);
    registerPass(withOptions); // the same object again is fine
  });
});
