// Decoding of ONNX AttributeProto values into IR attribute values.
import type { AttrValue } from "../../../ir/graph.js";
import { tensorFromProto } from "./tensor.js";
import { toNum, type AttributeProto, type GraphProto } from "./proto.js";

const dec = new TextDecoder();

/** An attribute as the frontend sees it: an IR value, or a subgraph (only If uses those). */
export type DecodedAttr = { kind: "value"; value: AttrValue } | { kind: "graph"; graph: GraphProto } | { kind: "unsupported"; what: string };

// AttributeProto.AttributeType numbers.
const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5, FLOATS = 6, INTS = 7, STRINGS = 8;

export function decodeAttribute(a: AttributeProto, where: string, baseDir: string | undefined): DecodedAttr {
  const type = a.type ?? inferAttrType(a);
  switch (type) {
    case FLOAT: return { kind: "value", value: a.f ?? 0 };
    case INT: return { kind: "value", value: toNum(a.i) };
    case STRING: return { kind: "value", value: dec.decode(a.s ?? new Uint8Array()) };
    case TENSOR: return { kind: "value", value: tensorFromProto(a.t!, { where: `${where} attribute "${a.name}"`, baseDir }) };
    case GRAPH: return { kind: "graph", graph: a.g! };
    case FLOATS: return { kind: "value", value: [...(a.floats ?? [])] };
    case INTS: return { kind: "value", value: (a.ints ?? []).map(toNum) };
    case STRINGS: return { kind: "value", value: (a.strings ?? []).map((s) => dec.decode(s)) };
    default: return { kind: "unsupported", what: `attribute "${a.name}" of type ${type}` };
  }
}

/** Models from before IR version 3 may leave `type` unset; the filled field tells. */
function inferAttrType(a: AttributeProto): number {
  if (a.floats && a.floats.length) return FLOATS;
  if (a.ints && a.ints.length) return INTS;
  if (a.strings && a.strings.length) return STRINGS;
  if (a.t) return TENSOR;
  if (a.g) return GRAPH;
  if (a.s && a.s.length) return STRING;
  if (a.i !== undefined && a.i !== null && toNum(a.i) !== 0) return INT;
  if (a.f !== undefined && a.f !== null && a.f !== 0) return FLOAT;
  return INT;
}
