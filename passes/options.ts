// Typed pass options: a schema of named options with defaults and one line of doc each, and the
// parser for the values written in a pipeline string (`winograd{m=4, per_channel=true}`).
//
// The schema carries the TypeScript type of every option, so a pass's `run` sees
// `{ m: number; per_channel: boolean }` and not a bag of strings.
import { UsageError } from "../ir/errors.js";
import { nearest } from "./suggest.js";

export type OptionKind = "int" | "float" | "bool" | "string" | "enum";

export interface OptionSpec<T = unknown> {
  readonly kind: OptionKind;
  readonly default: T;
  readonly doc: string;
  /** Allowed values of an enum option. */
  readonly values?: readonly string[];
  /** Inclusive bounds of a numeric option. */
  readonly min?: number;
  readonly max?: number;
  /** Phantom field carrying the TypeScript type. */
  readonly __type?: T;
}

export type OptionSchema = Readonly<Record<string, OptionSpec<any>>>;
export type OptionsOf<S extends OptionSchema> = { readonly [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never };

export const intOption = (def: number, doc: string, bounds: { min?: number; max?: number } = {}): OptionSpec<number> =>
  ({ kind: "int", default: def, doc, ...bounds });
export const floatOption = (def: number, doc: string, bounds: { min?: number; max?: number } = {}): OptionSpec<number> =>
  ({ kind: "float", default: def, doc, ...bounds });
export const boolOption = (def: boolean, doc: string): OptionSpec<boolean> => ({ kind: "bool", default: def, doc });
export const stringOption = (def: string, doc: string): OptionSpec<string> => ({ kind: "string", default: def, doc });
export function enumOption<const V extends string>(values: readonly V[], def: V, doc: string): OptionSpec<V> {
  return { kind: "enum", default: def, doc, values };
}

/** How an option is shown in `neonc passes` and errors: `m: int = 4`. */
export function describeOption(name: string, spec: OptionSpec): string {
  const type = spec.kind === "enum" ? spec.values!.join("|") : spec.kind;
  return `${name}: ${type} = ${String(spec.default)}`;
}

/** Converts one textual option value to its typed form, or throws a UsageError saying why not. */
export function parseOptionValue(passName: string, name: string, spec: OptionSpec, text: string): unknown {
  const bad = (what: string): never => {
    throw new UsageError(`option '${name}' of pass '${passName}' ${what}`);
  };
  switch (spec.kind) {
    case "int": {
      if (!/^[+-]?\d+$/.test(text)) bad(`must be an integer, got '${text}'`);
      return checkBounds(Number(text), spec, bad);
    }
    case "float": {
      const v = Number(text);
      if (text.trim() === "" || !Number.isFinite(v)) bad(`must be a number, got '${text}'`);
      return checkBounds(v, spec, bad);
    }
    case "bool":
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      return bad(`must be true or false, got '${text}'`);
    case "string":
      return text;
    case "enum":
      if (!spec.values!.includes(text)) {
        const near = nearest(text, spec.values!);
        bad(`must be one of ${spec.values!.join(", ")}, got '${text}'${near ? `; did you mean '${near}'?` : ""}`);
      }
      return text;
  }
}

function checkBounds(v: number, spec: OptionSpec, bad: (what: string) => never): number {
  if (spec.min !== undefined && v < spec.min) bad(`must be at least ${spec.min}, got ${v}`);
  if (spec.max !== undefined && v > spec.max) bad(`must be at most ${spec.max}, got ${v}`);
  return v;
}

/** Builds the full typed option record from textual values: unknown names are errors, the rest take defaults. */
export function resolveOptions<S extends OptionSchema>(passName: string, schema: S, given: Readonly<Record<string, string>>): OptionsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(given)) {
    const spec = schema[name];
    if (!spec) {
      const names = Object.keys(schema);
      if (names.length === 0) throw new UsageError(`pass '${passName}' takes no options, got '${name}'`);
      const near = nearest(name, names);
      throw new UsageError(`unknown option '${name}' for pass '${passName}'${near ? `; did you mean '${near}'?` : ""} (options: ${names.join(", ")})`);
    }
    out[name] = parseOptionValue(passName, name, spec, text);
  }
  for (const [name, spec] of Object.entries(schema)) if (!(name in out)) out[name] = spec.default;
  return out as OptionsOf<S>;
}

/** Options given as typed values in code (library API): checked against the schema like text ones. */
export function resolveTypedOptions<S extends OptionSchema>(passName: string, schema: S, given: Readonly<Record<string, unknown>>): OptionsOf<S> {
  const text: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) text[k] = String(v);
  return resolveOptions(passName, schema, text);
}
