// The one registry of passes and presets, looked up by pipeline strings and listed by
// `neonc passes`.
//
// A preset (`-O1`) is a named pipeline that runs to a fixed point: its passes repeat until a
// whole round changes nothing, or a bound on rounds is reached.
import type { Pass } from "./pass.js";
import { describeOption } from "./options.js";

export interface Preset {
  /** "O1"; pipelines write it with a leading dash, `-O1`. */
  readonly name: string;
  readonly doc: string;
  /** The pipeline one round runs. */
  readonly pipeline: string;
  /** Upper bound on rounds; reaching it without a fixed point is reported, not an error. */
  readonly maxRounds: number;
}

const passes = new Map<string, Pass>();
const presets = new Map<string, Preset>();

/** Registers a pass; registering the same object again is allowed (modules loaded twice). */
export function registerPass(pass: Pass): void {
  const prev = passes.get(pass.name);
  if (prev && prev !== pass) throw new Error(`a different pass named '${pass.name}' is already registered`);
  passes.set(pass.name, pass);
}

export function registerPreset(preset: Preset): void {
  const name = preset.name.replace(/^-/, "");
  if (presets.has(name) && presets.get(name) !== preset) throw new Error(`preset '-${name}' is already registered`);
  presets.set(name, { ...preset, name });
}

export function findPass(name: string): Pass | undefined {
  return passes.get(name);
}
/** Looks a preset up by name, with or without its leading dash. */
export function findPreset(name: string): Preset | undefined {
  return presets.get(name.replace(/^-/, ""));
}
export function allPasses(): Pass[] {
  return [...passes.values()].sort((a, b) => a.name.localeCompare(b.name));
}
export function allPresets(): Preset[] {
  return [...presets.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The listing `neonc passes` prints: every pass with its doc and options, then the presets. */
export function describePasses(): string {
  const lines: string[] = [];
  const list = allPasses();
  const width = Math.max(0, ...list.map((p) => p.name.length));
  for (const p of list) {
    lines.push(`${p.name.padEnd(width)}  ${p.doc}`);
    for (const [k, spec] of Object.entries(p.options)) {
      lines.push(`${"".padEnd(width)}    ${describeOption(k, spec)}  ${spec.doc}`);
    }
  }
  const ps = allPresets();
  if (ps.length > 0) {
    lines.push("", "presets (run to a fixed point):");
    for (const p of ps) lines.push(`-${p.name}  ${p.doc}: ${p.pipeline}`);
  }
  return lines.join("\n") + "\n";
}
