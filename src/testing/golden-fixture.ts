// Reads a golden fixture: IR text with directives in `//` comments (docs/testing.md, "Golden
// fixtures", is the reference). This file only parses; golden.ts runs a fixture.
//
//   // RUN: -O1,quantize                         the pipeline
//   // TARGET: aarch64                           the code-generation target on the pass context (lower)
//   // CALIBRATE: %x in [-1, 1], %c in [0, 6]    ranges attached to the input graph, or
//   // CALIBRATE: 8 random inputs, seed 3        min/max calibration on seeded random inputs
//   // INPUTS: T = 16, values in [-1, 1], 4 sets, seed 7    the random inputs of the checks
//   // NUMERIC: SQNR >= 30 dB                    numeric checks of the result against the input
//   // NUMERIC: bit-exact against @qlinear       ... or against another graph of the fixture
//   // ERROR: text                               the pipeline must fail with this in its message
//   // CHECK...: / LOG...:                       FileCheck of the printed result / the pass log
//
// A fixture holds one graph, the input, and may hold more after it (each starting at a line
// `graph @name(...)`, or `meta {...}` before one): references for `against @name`.
import type { Tolerance } from "./compare.js";
import { isTargetName, TARGET_NAMES } from "../../ir/target.js";
import { parseDirectives, type Directive } from "./filecheck.js";

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface GraphSection {
  readonly text: string;
  /** 1-based fixture line where the section starts. */
  readonly line: number;
}

export interface Calibration {
  /** Ranges given by value name (graph values, or `<lstm output>#cell`). */
  readonly ranges: Readonly<Record<string, Range>>;
  /** Min/max calibration on seeded random inputs (INPUTS says their shapes and values). */
  readonly random?: { readonly count: number; readonly seed: number; readonly observer: string };
}

export interface InputsSpec {
  readonly sets: number;
  readonly seed: number;
  /** Symbol values; symbols not given are drawn per set in [1, 40]. */
  readonly dims: Readonly<Record<string, number>>;
  /** Value range of every input, else of one input by name. */
  readonly values?: Range;
  readonly perInput: Readonly<Record<string, Range>>;
}

export type NumericCheck = { readonly line: number; readonly text: string; readonly against?: string } & (
  | { readonly kind: "tolerance"; readonly tolerance: Tolerance }
  | { readonly kind: "sqnr"; readonly value?: string; readonly db: number }
  | { readonly kind: "equal"; readonly share: number }
);

export interface GoldenFixture {
  readonly graphs: readonly GraphSection[];
  readonly run: string;
  /** The target the passes see (ctx.target); none when the fixture names none. */
  readonly target?: string;
  readonly calibration?: Calibration;
  readonly inputs: InputsSpec;
  /** Empty: no numeric check (`NUMERIC: skip`). */
  readonly numeric: readonly NumericCheck[];
  readonly error?: { readonly text: string; readonly line: number };
  readonly checks: readonly Directive[];
  readonly logChecks: readonly Directive[];
}

/** A float pass keeps the numbers to this share of the largest output (the default check). */
export const SAME_NUMBERS: Tolerance = { relToMax: 1e-5 };

const KEYS = ["RUN", "TARGET", "CALIBRATE", "INPUTS", "NUMERIC", "ERROR"] as const;
const CHECK_PREFIXES = ["CHECK", "LOG"];

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;
const NAME = String.raw`%([A-Za-z0-9_.#]+)`;
const RANGE = String.raw`\[\s*(${NUM})\s*,\s*(${NUM})\s*\]`;

export class FixtureError extends Error {}

/** Parses a fixture's directives and splits its graphs; throws FixtureError naming the line. */
export function parseFixture(text: string): GoldenFixture {
  const lines = text.split("\n");
  const found: Record<(typeof KEYS)[number], { text: string; line: number }[]> = { RUN: [], TARGET: [], CALIBRATE: [], INPUTS: [], NUMERIC: [], ERROR: [] };
  lines.forEach((l, k) => {
    const m = /^\s*\/\/\s*([A-Z][A-Z0-9]*(?:-[A-Z]+)*):(.*)$/.exec(l);
    if (!m) return;
    const key = m[1]!;
    if ((KEYS as readonly string[]).includes(key)) found[key as (typeof KEYS)[number]].push({ text: m[2]!.trim(), line: k + 1 });
    else if (!CHECK_PREFIXES.some((p) => key === p || key.startsWith(`${p}-`))) {
      throw new FixtureError(`line ${k + 1}: unknown directive ${key}: (known: ${[...KEYS, ...CHECK_PREFIXES].map((x) => `${x}:`).join(", ")}, and CHECK-/LOG- with NEXT, SAME, NOT, DAG)`);
    }
  });
  const one = (key: (typeof KEYS)[number]) => {
    const all = found[key];
    if (all.length > 1) throw new FixtureError(`line ${all[1]!.line}: a second ${key}: line (the first is line ${all[0]!.line})`);
    return all[0];
  };
  const run = one("RUN");
  if (!run || run.text === "") throw new FixtureError(`no "// RUN: pipeline" line`);
  const error = one("ERROR");
  const inputs = parseInputs(one("INPUTS"));
  const calibration = found.CALIBRATE.length > 0 ? parseCalibration(found.CALIBRATE) : undefined;
  const numeric = parseNumeric(found.NUMERIC);
  const checks = parseDirectives(text, "CHECK");
  const logChecks = parseDirectives(text, "LOG");
  if (!error && checks.length === 0) throw new FixtureError("no CHECK lines (a fixture that expects a failure has an ERROR: line instead)");
  if (error && found.NUMERIC.length > 0) throw new FixtureError(`line ${found.NUMERIC[0]!.line}: NUMERIC with ERROR: a pipeline that fails has no numbers`);
  const targetLine = one("TARGET");
  const target = targetLine?.text;
  if (targetLine && !isTargetName(targetLine.text)) throw new FixtureError(`line ${targetLine.line}: unknown target '${targetLine.text}' (the targets are ${TARGET_NAMES.join(", ")})`);
  return { graphs: splitGraphs(lines), run: run.text, ...(target ? { target } : {}), calibration, inputs, numeric, error, checks, logChecks };
}

/** The graphs of a fixture: each starts at a column-0 `graph @` line (or the `meta {` before it). */
function splitGraphs(lines: readonly string[]): GraphSection[] {
  const starts: number[] = [];
  lines.forEach((l, k) => {
    if (/^graph\s+@/.test(l) && !(k > 0 && /^meta\s*\{/.test(lines[k - 1]!))) starts.push(k);
    else if (/^meta\s*\{/.test(l)) starts.push(k);
  });
  if (starts.length === 0) throw new FixtureError("no graph (a line starting with `graph @name(`)");
  return starts.map((s, i) => {
    // The first section keeps the leading comments, so parse errors keep the fixture's line numbers.
    const from = i === 0 ? 0 : s;
    const to = starts[i + 1] ?? lines.length;
    return { text: "\n".repeat(from) + lines.slice(from, to).join("\n"), line: s + 1 };
  });
}

function parseCalibration(entries: readonly { text: string; line: number }[]): Calibration {
  const ranges: Record<string, Range> = {};
  let random: Calibration["random"];
  for (const e of entries) {
    const r = new RegExp(String.raw`^(\d+) random inputs?(?:,\s*seed (\d+))?(?:,\s*observer (\w+))?$`).exec(e.text);
    if (r) {
      if (random) throw new FixtureError(`line ${e.line}: a second CALIBRATE with random inputs`);
      random = { count: Number(r[1]), seed: r[2] ? Number(r[2]) : 1, observer: r[3] ?? "minmax" };
      if (random.count < 1) throw new FixtureError(`line ${e.line}: CALIBRATE needs at least one random input`);
      continue;
    }
    for (const clause of splitClauses(e.text, e.line, "CALIBRATE")) {
      const m = new RegExp(`^${NAME}\\s+in\\s+${RANGE}$`).exec(clause);
      if (!m) throw new FixtureError(`line ${e.line}: CALIBRATE expects "%value in [min, max]" (comma-separated) or "N random inputs, seed S", got "${clause}"`);
      ranges[m[1]!] = range(m[2]!, m[3]!, e.line);
    }
  }
  return random ? { ranges, random } : { ranges };
}

function parseInputs(entry: { text: string; line: number } | undefined): InputsSpec {
  let sets = 3, seed = 1;
  let values: Range | undefined;
  const dims: Record<string, number> = {}, perInput: Record<string, Range> = {};
  if (entry) {
    for (const clause of splitClauses(entry.text, entry.line, "INPUTS")) {
      let m: RegExpExecArray | null;
      if ((m = /^(\d+) sets?$/.exec(clause))) sets = Number(m[1]);
      else if ((m = /^seed (\d+)$/.exec(clause))) seed = Number(m[1]);
      else if ((m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\d+)$/.exec(clause))) dims[m[1]!] = Number(m[2]);
      else if ((m = new RegExp(`^values in ${RANGE}$`).exec(clause))) values = range(m[1]!, m[2]!, entry.line);
      else if ((m = new RegExp(`^${NAME}\\s+in\\s+${RANGE}$`).exec(clause))) perInput[m[1]!] = range(m[2]!, m[3]!, entry.line);
      else throw new FixtureError(`line ${entry.line}: INPUTS expects "N sets", "seed S", "T = 16", "values in [min, max]" or "%input in [min, max]", got "${clause}"`);
    }
    if (sets < 1) throw new FixtureError(`line ${entry.line}: INPUTS needs at least 1 set`);
  }
  return { sets, seed, dims, ...(values ? { values } : {}), perInput };
}

function parseNumeric(entries: readonly { text: string; line: number }[]): NumericCheck[] {
  if (entries.length === 0) return [{ line: 0, text: "same numbers (the default)", kind: "tolerance", tolerance: SAME_NUMBERS }];
  if (entries.some((e) => e.text === "skip")) {
    if (entries.length > 1) throw new FixtureError(`line ${entries[0]!.line}: NUMERIC: skip with other NUMERIC lines`);
    return [];
  }
  const out: NumericCheck[] = [];
  for (const e of entries) {
    const a = /^(.*?)\s+against\s+@([A-Za-z0-9_.]+)$/.exec(e.text);
    const body = a ? a[1]! : e.text, against = a ? a[2] : undefined;
    for (const clause of splitClauses(body, e.line, "NUMERIC")) {
      const base = { line: e.line, text: clause, ...(against ? { against } : {}) };
      let m: RegExpExecArray | null;
      if (clause === "same numbers" || clause === "same") out.push({ ...base, kind: "tolerance", tolerance: SAME_NUMBERS });
      else if (clause === "bit-exact") out.push({ ...base, kind: "tolerance", tolerance: "exact" });
      else if ((m = new RegExp(`^SQNR(?:\\(${NAME}\\))?\\s*>=\\s*(${NUM})\\s*dB$`).exec(clause))) {
        out.push({ ...base, kind: "sqnr", ...(m[1] ? { value: m[1] } : {}), db: Number(m[2]) });
      } else if ((m = new RegExp(`^max \\|diff\\|\\s*<=\\s*(${NUM})$`).exec(clause))) out.push({ ...base, kind: "tolerance", tolerance: { atol: Number(m[1]) } });
      else if ((m = new RegExp(`^equal\\s*>=\\s*(${NUM})%$`).exec(clause))) out.push({ ...base, kind: "equal", share: Number(m[1]) / 100 });
      else if ((m = /^within (.+)$/.exec(clause))) out.push({ ...base, kind: "tolerance", tolerance: parseTolerance(m[1]!, e.line) });
      else {
        throw new FixtureError(`line ${e.line}: NUMERIC expects skip, same numbers, bit-exact, "SQNR >= X dB", "SQNR(%v) >= X dB", "max |diff| <= X", "equal >= P%" or "within rtol=.. atol=.. relToMax=..", each optionally "against @graph"; got "${clause}"`);
      }
    }
  }
  return out;
}

function parseTolerance(text: string, line: number): Tolerance {
  const tol: Record<string, number> = {};
  for (const part of text.trim().split(/\s+/)) {
    const m = new RegExp(`^(rtol|atol|relToMax)=(${NUM})$`).exec(part);
    if (!m) throw new FixtureError(`line ${line}: "within" expects rtol=X, atol=X and/or relToMax=X, got "${part}"`);
    tol[m[1]!] = Number(m[2]);
  }
  return tol;
}

function range(lo: string, hi: string, line: number): Range {
  const min = Number(lo), max = Number(hi);
  if (!(min <= max)) throw new FixtureError(`line ${line}: the range [${lo}, ${hi}] is empty`);
  return { min, max };
}

/** Splits at top-level commas (not inside [ ] or ( )). */
function splitClauses(text: string, line: number, key: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = "";
  for (const ch of text) {
    if (ch === "[" || ch === "(") depth++;
    if (ch === "]" || ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  if (out.some((c) => c === "")) throw new FixtureError(`line ${line}: ${key} has an empty clause`);
  return out;
}
