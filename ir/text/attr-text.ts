// Node attributes in IR text: `{dilations=[1], epsilon=1.0e-5, mode="constant", shape=[1,T,64]}`,
// sorted by name. Parsing goes by syntax alone (a number, a "string", a list, or a tensor
// `f32[2] [1, 2]`), because attribute values carry no kind of their own in the IR: an int and a
// float attribute both hold a JS number. The op's schema, when the op is registered, only
// decides the spelling: float attributes always show a decimal point or exponent. Whether a
// value suits its attribute is the verifier's business, so the parser can also read the
// wrong graphs that verifier tests are made of.
import { isDType } from "../dtype.js";
import { DimError, dimToString, parseDim, type Dim } from "../dim.js";
import { isGraphValue, type AttrValue, type Attrs, type Graph } from "../graph.js";
import type { AttrKind, AttrSchema } from "../op.js";
import type { Tensor } from "../types.js";
import type { Cursor } from "./cursor.js";
import { formatFloat, formatKey, formatNumber, matchNumber, numberValue, parseKey, quote } from "./literals.js";
import { formatTensor, parseTensor } from "./tensor-text.js";

export function isTensorValue(v: unknown): v is Tensor {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "dtype" in v && "data" in v;
}

/** Writes a nested graph attribute (print.ts passes printGraph, which this module cannot import without a cycle). */
export type GraphFormatter = (g: Graph) => string;
/** Reads a nested graph attribute after the keyword `graph` (parse.ts passes its graph reader). */
export type GraphReader = (c: Cursor) => Graph;

/** ` {a=1, b=[2]}` with a leading space, or "" when there are no attributes. */
export function formatAttrs(attrs: Attrs, schema?: AttrSchema, formatGraph?: GraphFormatter): string {
  const keys = Object.keys(attrs).filter((k) => attrs[k] !== undefined).sort();
  if (keys.length === 0) return "";
  return ` {${keys.map((k) => `${formatKey(k)}=${formatAttrValue(attrs[k]!, schema?.[k]?.kind, formatGraph)}`).join(", ")}}`;
}

export function formatAttrValue(v: AttrValue, kind?: AttrKind, formatGraph?: GraphFormatter): string {
  if (isGraphValue(v)) {
    if (!formatGraph) throw new Error("a graph attribute needs the graph printer (printGraph)");
    return formatGraph(v);
  }
  const floaty = kind === "float" || kind === "floats";
  if (typeof v === "number") return floaty ? formatFloat(v) : formatNumber(v);
  if (typeof v === "string") return quote(v);
  if (isTensorValue(v)) return formatTensor(v);
  const items = (v as readonly (number | string | Dim)[]).map((e) =>
    typeof e === "string" ? quote(e) : typeof e === "number" ? (floaty ? formatFloat(e) : formatNumber(e)) : dimToString(e),
  );
  return `[${items.join(", ")}]`;
}

const GRAPH = /graph(?![A-Za-z0-9_.])/y;

/** An optional `{...}` attribute block; `readGraph` reads nested graphs (`graph @then(...) -> (...) {...}`). */
export function parseAttrs(c: Cursor, readGraph?: GraphReader): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = {};
  if (!c.eat("{")) return attrs;
  if (c.eat("}")) return attrs;
  for (;;) {
    const at = c.skip();
    const key = parseKey(c, "an attribute name");
    if (Object.prototype.hasOwnProperty.call(attrs, key)) c.fail(`attribute ${key} is given twice`, at);
    c.expect("=", `after attribute ${key}`);
    attrs[key] = parseAttrValue(c, readGraph);
    if (c.eat("}")) return attrs;
    c.expect(",", "or } after an attribute");
  }
}

export function parseAttrValue(c: Cursor, readGraph?: GraphReader): AttrValue {
  const at = c.skip();
  if (c.atString()) return c.string();
  if (readGraph && c.match(GRAPH) !== undefined) return readGraph(c);
  if (c.eat("[")) return parseList(c);
  const id = c.match(/[A-Za-z_][A-Za-z0-9_]*(?=\s*\[)/y);
  if (id !== undefined) {
    if (!isDType(id)) c.fail(`expected an attribute value, found "${id}"`, at);
    c.pos = at;
    return parseTensor(c).tensor;
  }
  const n = matchNumber(c);
  if (n === undefined) c.fail(`expected an attribute value (number, "string", [list] or tensor), found ${c.describeNext()}`);
  return numberValue(n);
}

/** The rest of a list after `[`: numbers, strings or dim expressions. */
function parseList(c: Cursor): AttrValue {
  const out: (number | string | Dim)[] = [];
  if (c.eat("]")) return out as number[];
  for (;;) {
    if (c.atString()) out.push(c.string());
    else {
      const save = c.pos;
      const n = matchNumber(c);
      const next = c.peek();
      if (n !== undefined && (next === "," || next === "]")) out.push(numberValue(n));
      else {
        c.pos = save;
        const { text, at } = c.rawUntil("]");
        if (text === "") c.fail(`expected a list element, found ${c.describeNext()}`);
        try {
          out.push(parseDim(text));
        } catch (e) {
          if (e instanceof DimError) c.fail(e.message, at);
          throw e;
        }
      }
    }
    if (c.eat("]")) return out as AttrValue;
    c.expect(",", "or ] in a list");
  }
}
