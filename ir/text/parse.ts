// Reads IR text back into a graph (the format is described in ir/text/index.ts).
//
// The parser builds whatever the text says, even graphs the verifier would reject (values used
// before they are defined, unknown attributes...), so that verifier tests can be written as
// text too. It fails only on syntax and on what it cannot build: a node whose types are left
// out is typed by its op's `infer`, which needs the op registered and its input types known.
import { makeGraph, type AttrValue, type Graph, type Node } from "../graph.js";
import { resolveAttrs, type AttrSchema } from "../op.js";
import { findOp } from "../registry.js";
import { typesEqual, typeToString, type Tensor, type TensorType } from "../types.js";
import { Cursor } from "./cursor.js";
import { parseAttrs } from "./attr-text.js";
import { parseKey, parseSigilName, parseValueName } from "./literals.js";
import { defaultNodeName } from "./print.js";
import { parseTensor } from "./tensor-text.js";
import { parseType, parseTypeOrBlank } from "./type-text.js";

const keyword = (w: string) => new RegExp(`${w}(?![A-Za-z0-9_.])`, "y");
const CONST = keyword("const");
const BLANK = keyword("_");

class GraphBuilder {
  readonly types: Record<string, TensorType> = {};
  readonly constants: Record<string, Tensor> = {};
  readonly nodes: Node[] = [];
  /** Where each value was first given a type, for "defined twice" messages. */
  private readonly definedAt = new Map<string, number>();

  constructor(private readonly c: Cursor) {}

  define(name: string, type: TensorType | undefined, at: number): void {
    if (name === "" || type === undefined) return;
    const prev = this.types[name];
    if (prev && !typesEqual(prev, type)) {
      const first = this.c.location(this.definedAt.get(name) ?? 0);
      this.c.fail(`%${name} is defined again with type ${typeToString(type)}, it was ${typeToString(prev)} at ${first.line}:${first.column}`, at);
    }
    if (!prev) this.definedAt.set(name, at);
    this.types[name] = type;
  }
}

/** Parses IR text into a graph. Throws IrTextError (with line:column) on bad text. */
export function parseGraph(text: string): Graph {
  const c = new Cursor(text);
  let meta: Record<string, string> | undefined;
  if (c.match(keyword("meta")) !== undefined) meta = parseMeta(c);
  if (c.match(keyword("graph")) === undefined) c.fail(`expected "graph", found ${c.describeNext()}`);
  const g = parseGraphAfterKeyword(c);
  if (!c.atEnd()) c.fail(`unexpected ${c.describeNext()} after the end of the graph`);
  return makeGraph(meta === undefined ? g : { ...g, meta });
}

/** A graph from its name on (the keyword `graph` read already): top-level graphs and If branches. */
function parseGraphAfterKeyword(c: Cursor): Graph {
  c.expect("@", "before the graph name");
  const name = parseSigilName(c, "a graph name");
  const b = new GraphBuilder(c);

  c.expect("(", "to open the graph inputs");
  const inputs: string[] = [];
  if (!c.eat(")")) {
    for (;;) {
      const at = c.skip();
      const n = parseValueName(c);
      c.expect(":", `and a type after input %${n}`);
      b.define(n, parseTypeOrBlank(c), at);
      inputs.push(n);
      if (c.eat(")")) break;
      c.expect(",", "or ) after a graph input");
    }
  }

  c.expect("->", "after the graph inputs");
  c.expect("(", "to open the graph outputs");
  const outputs: string[] = [];
  const declared: [string, TensorType, number][] = [];
  if (!c.eat(")")) {
    for (;;) {
      const at = c.skip();
      const n = parseValueName(c);
      if (c.eat(":")) declared.push([n, parseType(c), at]);
      outputs.push(n);
      if (c.eat(")")) break;
      c.expect(",", "or ) after a graph output");
    }
  }

  c.expect("{", "to open the graph body");
  while (!c.eat("}")) {
    if (c.atEnd()) c.fail('expected "}" to close the graph body');
    parseStatement(c, b);
  }

  for (const [n, t, at] of declared) {
    const actual = b.types[n];
    if (actual && !typesEqual(actual, t)) c.fail(`graph output %${n} is declared ${typeToString(t)} but has type ${typeToString(actual)}`, at);
  }

  return makeGraph({ name, inputs, outputs, nodes: b.nodes, types: b.types, constants: b.constants });
}

/** Alias of parseGraph that reads well in tests: `graphFromText(\`graph @g(...) ...\`)`. */
export const graphFromText = parseGraph;

function parseMeta(c: Cursor): Record<string, string> {
  const meta: Record<string, string> = {};
  c.expect("{", "after meta");
  if (c.eat("}")) return meta;
  for (;;) {
    const at = c.skip();
    const k = parseKey(c, "a meta key");
    if (Object.prototype.hasOwnProperty.call(meta, k)) c.fail(`meta key ${k} is given twice`, at);
    c.expect("=", `after meta key ${k}`);
    meta[k] = c.string();
    if (c.eat("}")) return meta;
    c.expect(",", "or } in meta");
  }
}

/** A value slot: `%name`, or `_` for an omitted one (""). */
function parseSlot(c: Cursor): string {
  if (c.match(BLANK) !== undefined) return "";
  return parseValueName(c);
}

function parseStatement(c: Cursor, b: GraphBuilder): void {
  const start = c.skip();
  const outputs: string[] = [];
  const outputAt: number[] = [];
  const save = c.pos;
  const startsWithSlot = c.peek() === "%" || (c.match(BLANK) !== undefined && (c.peek() === "," || c.peek() === "="));
  c.pos = save;
  if (startsWithSlot) {
    for (;;) {
      outputAt.push(c.skip());
      outputs.push(parseSlot(c));
      if (c.eat("=")) break;
      c.expect(",", "or = after a node output");
    }
  }

  if (outputs.length > 0 && c.match(CONST) !== undefined) {
    if (outputs.length !== 1 || outputs[0] === "") c.fail("a constant defines exactly one named value", start);
    const n = outputs[0]!;
    if (Object.prototype.hasOwnProperty.call(b.constants, n)) c.fail(`constant %${n} is defined twice`, start);
    const { tensor, type } = parseTensor(c);
    b.constants[n] = tensor;
    b.define(n, type, start);
    return;
  }

  const opAt = c.skip();
  const op = parseKey(c, outputs.length > 0 ? "an op name or const" : "a statement (%name = ..., or }) ");
  c.expect("(", `after op ${op}`);
  const inputs: string[] = [];
  if (!c.eat(")")) {
    for (;;) {
      inputs.push(parseSlot(c));
      if (c.eat(")")) break;
      c.expect(",", "or ) after a node input");
    }
  }
  const attrs = parseAttrs(c, parseGraphAfterKeyword);

  let types: (TensorType | undefined)[] | undefined;
  if (c.eat(":")) {
    types = [];
    for (;;) {
      const at = c.skip();
      if (types.length >= outputs.length) c.fail(`more types than the node's ${outputs.length} outputs`, at);
      types.push(parseTypeOrBlank(c));
      if (!c.eat(",")) break;
    }
    if (types.length !== outputs.length) c.fail(`the node has ${outputs.length} outputs but ${types.length} types`);
  }

  let name = defaultNodeName(outputs);
  if (c.eat("@name")) {
    c.expect("(", "after @name");
    name = c.string();
    c.expect(")", "after the node name");
  }
  // Inferred after @name, so that an error can name the node as the text does.
  if (types === undefined && outputs.length > 0) types = inferTypes(c, b, name, op, inputs, outputs, attrs, opAt);
  outputs.forEach((o, k) => b.define(o, types?.[k], outputAt[k]!));
  b.nodes.push({ name, op, inputs, outputs, attrs });
}

function inferTypes(
  c: Cursor, b: GraphBuilder, node: string, op: string, inputs: readonly string[], outputs: readonly string[],
  attrs: Record<string, AttrValue>, at: number,
): TensorType[] {
  const def = findOp(op);
  if (!def) c.fail(`op ${op} is not registered, so the types of its outputs cannot be inferred; write them after " : "`, at);
  // The type rules read required attributes without checking them (the verifier does that), so
  // a missing one must be named here rather than crash inside the rule.
  const missing = Object.entries(def.attrs as AttrSchema).filter(([k, spec]) => spec.required && attrs[k] === undefined).map(([k]) => k);
  if (missing.length > 0) {
    const what = missing.length === 1 ? `the required attribute ${missing[0]}` : `the required attributes ${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}`;
    c.fail(`node ${JSON.stringify(node)} (${op}) lacks ${what}, so its output types cannot be inferred`, at);
  }
  const inTypes = inputs.map((i) => {
    if (i === "") return undefined;
    const t = b.types[i];
    if (!t) c.fail(`the type of %${i} is not known here (define it before this line), so ${op}'s output types cannot be inferred`, at);
    return t;
  });
  let inferred: TensorType[];
  try {
    inferred = def.infer(inTypes, resolveAttrs(def, attrs), {
      numOutputs: outputs.length,
      constant: (i: number) => (inputs[i] ? b.constants[inputs[i]!] : undefined),
    });
  } catch (e) {
    c.fail(`cannot infer the output types of ${op}: ${e instanceof Error ? e.message : String(e)}`, at);
  }
  outputs.forEach((o, k) => {
    if (o !== "" && !inferred[k]) c.fail(`${op}'s type rule gives no type for output ${k} (%${o})`, at);
  });
  return inferred;
}
