// Pipeline strings: `canonicalize,fold-batchnorm,winograd{m=4, per_channel=true},-O1`.
//
// Parsing resolves every name and option up front, so a typo fails before any pass runs, with a
// suggestion: "unknown pass 'fold-batchnrom'; did you mean 'fold-batchnorm'?".
import { UsageError } from "../ir/errors.js";
import type { Pass } from "./pass.js";
import { resolveOptions } from "./options.js";
import { allPasses, allPresets, findPass, findPreset } from "./registry.js";
import { nearest } from "./suggest.js";

export type PipelineStep =
  | { readonly kind: "pass"; readonly pass: Pass; readonly options: Readonly<Record<string, unknown>>; readonly text: string }
  /** A preset: `steps` repeat until a round changes nothing (at most maxRounds rounds). */
  | { readonly kind: "fixpoint"; readonly name: string; readonly steps: readonly PipelineStep[]; readonly maxRounds: number };

export type Pipeline = readonly PipelineStep[];

interface RawItem {
  readonly name: string;
  readonly options: Readonly<Record<string, string>>;
  readonly text: string;
}

/** Parses and resolves a pipeline string; throws a UsageError naming the problem. */
export function parsePipeline(text: string): Pipeline {
  return resolveItems(splitItems(text), []);
}

/** The pipeline as text again (options in canonical form, presets by name). */
export function pipelineToString(p: Pipeline): string {
  return p.map((s) => (s.kind === "pass" ? s.text : `-${s.name}`)).join(",");
}

/** Splits at top-level commas and reads each `name{k=v,...}`. */
function splitItems(text: string): RawItem[] {
  const items: RawItem[] = [];
  let i = 0;
  const n = text.length;
  const bad = (msg: string): never => {
    throw new UsageError(`bad pipeline "${text}": ${msg}`);
  };
  const skipBlanks = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  skipBlanks();
  if (i === n) return items;
  for (;;) {
    skipBlanks();
    const start = i;
    while (i < n && /[A-Za-z0-9_.\-]/.test(text[i]!)) i++;
    const name = text.slice(start, i);
    if (!name) bad(i < n ? `expected a pass name at '${text.slice(i, i + 10)}'` : "expected a pass name after the last ','");
    skipBlanks();
    const options: Record<string, string> = {};
    if (text[i] === "{") {
      const close = text.indexOf("}", i);
      if (close < 0) bad(`the options of '${name}' are missing a closing '}'`);
      const body = text.slice(i + 1, close);
      if (body.includes("{")) bad(`unexpected '{' inside the options of '${name}'`);
      for (const part of body.split(",")) {
        if (!part.trim()) {
          if (body.trim()) bad(`empty option in '${name}{${body}}'`);
          continue;
        }
        const eq = part.indexOf("=");
        const key = (eq < 0 ? part : part.slice(0, eq)).trim();
        if (eq < 0) bad(`option '${key}' of '${name}' needs a value (write ${key}=VALUE)`);
        if (!/^[A-Za-z_][A-Za-z0-9_\-]*$/.test(key)) bad(`'${key}' is not an option name (in '${name}')`);
        if (key in options) bad(`option '${key}' of '${name}' is given twice`);
        options[key] = part.slice(eq + 1).trim();
      }
      i = close + 1;
      skipBlanks();
    }
    items.push({ name, options, text: text.slice(start, i).trim() });
    if (i === n) return items;
    if (text[i] !== ",") bad(`expected ',' after '${text.slice(start, i).trim()}', found '${text[i]}'`);
    i++;
  }
}

function resolveItems(items: readonly RawItem[], presetStack: readonly string[]): Pipeline {
  return items.map((item): PipelineStep => {
    if (item.name.startsWith("-")) {
      const preset = findPreset(item.name);
      if (!preset) {
        const near = nearest(item.name.slice(1), allPresets().map((p) => p.name));
        throw new UsageError(`unknown preset '${item.name}'${near ? `; did you mean '-${near}'?` : ""}`);
      }
      if (Object.keys(item.options).length > 0) throw new UsageError(`preset '${item.name}' takes no options`);
      if (presetStack.includes(preset.name)) throw new UsageError(`preset '-${preset.name}' includes itself`);
      const steps = resolveItems(splitItems(preset.pipeline), [...presetStack, preset.name]);
      return { kind: "fixpoint", name: preset.name, steps, maxRounds: preset.maxRounds };
    }
    const pass = findPass(item.name);
    if (!pass) {
      const preset = findPreset(item.name);
      if (preset) throw new UsageError(`'${item.name}' is a preset; write it as '-${preset.name}'`);
      const near = nearest(item.name, allPasses().map((p) => p.name));
      throw new UsageError(near
        ? `unknown pass '${item.name}'; did you mean '${near}'?`
        : `unknown pass '${item.name}' (\`neonc passes\` lists the passes)`);
    }
    const options = resolveOptions(pass.name, pass.options, item.options);
    return { kind: "pass", pass, options, text: item.text };
  });
}
