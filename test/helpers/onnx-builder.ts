// Builds small ONNX models in memory for tests (valid ones and deliberately broken ones).
import { onnx } from "../../src/adapters/onnx/proto.js";
import { tensorToProto } from "../../src/adapters/onnx/tensor.js";
import type { DType } from "../../ir/dtype.js";
import type { Tensor } from "../../ir/types.js";
import { dtypeToOnnx } from "../../ir/onnx-dtypes.js";

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, number | number[] | string | Tensor>;
  /** Attributes whose numbers are floats (default: ints). */
  floatAttrs?: string[];
  /** Graph attributes (If's then_branch / else_branch): nested graphs without inputs. */
  graphs?: Record<string, BranchSpec>;
}

/** A nested graph: it reads outer values by name and declares its outputs. */
export interface BranchSpec {
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: Record<string, Tensor>;
}

export interface ValueSpec {
  name: string;
  /** ONNX data type number (1 = FLOAT); or give `dtype`. */
  elemType?: number;
  /** IR dtype, used when elemType is not given (default f32). */
  dtype?: DType;
  /** Numbers are fixed dims, strings are dim_params. */
  shape: (number | string)[];
}

export interface ModelSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: Record<string, Tensor>;
  opset?: number;
}

function valueInfo(v: ValueSpec) {
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: v.elemType ?? dtypeToOnnx(v.dtype ?? "f32"),
        shape: onnx.TensorShapeProto.create({
          dim: v.shape.map((d) => (typeof d === "number" ? onnx.TensorShapeProto.Dimension.create({ dimValue: d }) : onnx.TensorShapeProto.Dimension.create({ dimParam: d }))),
        }),
      }),
    }),
  });
}

function attribute(name: string, v: number | number[] | string | Tensor, isFloat: boolean) {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === "string") return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (typeof v === "number") return isFloat ? onnx.AttributeProto.create({ name, type: A.FLOAT, f: v }) : onnx.AttributeProto.create({ name, type: A.INT, i: v });
  if (Array.isArray(v)) return isFloat ? onnx.AttributeProto.create({ name, type: A.FLOATS, floats: v }) : onnx.AttributeProto.create({ name, type: A.INTS, ints: v });
  return onnx.AttributeProto.create({ name, type: A.TENSOR, t: tensorToProto(v as Tensor, name) });
}

/** The ModelProto object (mutable, for tests that then break it). */
export function buildModelProto(spec: ModelSpec) {
  // Nodes of other domains (e.g. "com.example") get an opset import of version 1.
  const domains = [...new Set(spec.nodes.map((n) => n.domain ?? "").filter((d) => d !== ""))];
  return onnx.ModelProto.create({
    irVersion: 8,
    producerName: "neonc-tests",
    opsetImport: [
      onnx.OperatorSetIdProto.create({ domain: "", version: spec.opset ?? 13 }),
      ...domains.map((domain) => onnx.OperatorSetIdProto.create({ domain, version: 1 })),
    ],
    graph: graphProto("test", spec.inputs, spec.outputs, spec.nodes, spec.initializers, ""),
  });
}

function graphProto(name: string, inputs: ValueSpec[], outputs: ValueSpec[], nodes: NodeSpec[], initializers: Record<string, Tensor> | undefined, prefix: string): ReturnType<typeof onnx.GraphProto.create> {
  const A = onnx.AttributeProto.AttributeType;
  return onnx.GraphProto.create({
    name,
    input: inputs.map(valueInfo),
    output: outputs.map(valueInfo),
    initializer: Object.entries(initializers ?? {}).map(([n, t]) => tensorToProto(t, n)),
    node: nodes.map((n, k) =>
      onnx.NodeProto.create({
        name: n.name ?? `${prefix}n${k}`,
        opType: n.op,
        domain: n.domain ?? "",
        input: n.inputs,
        output: n.outputs,
        attribute: [
          ...Object.entries(n.attrs ?? {}).map(([a, v]) => attribute(a, v, n.floatAttrs?.includes(a) ?? false)),
          ...Object.entries(n.graphs ?? {}).map(([a, b]) =>
            onnx.AttributeProto.create({ name: a, type: A.GRAPH, g: graphProto(a, [], b.outputs, b.nodes, b.initializers, `${prefix}${n.name ?? `n${k}`}.${a}.`) })),
        ],
      }),
    ),
  });
}

/** Serialized ONNX model bytes. */
export function buildModel(spec: ModelSpec): Uint8Array {
  return onnx.ModelProto.encode(buildModelProto(spec)).finish();
}
