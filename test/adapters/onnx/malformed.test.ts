// Bad models get one clear ModelError naming the file (and the node and op where there is one),
// never a crash, a hang or an out-of-memory.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ModelError } from "../../../ir/errors.js";
import { importOnnxBytes, importOnnxFile } from "../../../src/adapters/onnx/index.js";
import { onnx } from "../../../src/adapters/onnx/proto.js";
import { fromNumbers } from "../../../ir/types.js";
import { buildModel, buildModelProto, type ModelSpec } from "../../helpers/onnx-builder.js";
import { Rng } from "../../../src/testing/index.js";

const reluModel: ModelSpec = {
  inputs: [{ name: "x", shape: [1, 4, "T"] }],
  outputs: [{ name: "y", shape: [1, 4, "T"] }],
  nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"], name: "relu1" }],
};

function importError(bytes: Uint8Array, where = "bad.onnx", baseDir?: string): ModelError {
  try {
    importOnnxBytes(bytes, where, baseDir);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error("the import succeeded but should have failed");
}

/** Seeded random bytes (neonc/testing's Rng), so failures reproduce. */
function randomBytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from(new Rng(seed).ints(n, 0, 255));
}

describe("malformed ONNX models", () => {
  it("imports the valid baseline", () => {
    const g = importOnnxBytes(buildModel(reluModel), "ok.onnx");
    expect(g.nodes.map((n) => n.op)).toEqual(["Relu"]);
  });

  it("rejects every truncation of a valid model with a clear message", () => {
    const w = fromNumbers("f32", [4, 4, 3], Array.from({ length: 48 }, (_, i) => i / 7));
    const bytes = buildModel({
      inputs: [{ name: "x", shape: [1, 4, "T"] }],
      outputs: [{ name: "y", shape: [1, 4, "T"] }],
      initializers: { w },
      nodes: [
        { op: "Conv", inputs: ["x", "w"], outputs: ["c"], attrs: { pads: [1, 1] } },
        { op: "Relu", inputs: ["c"], outputs: ["y"] },
      ],
    });
    let failures = 0;
    for (let cut = 1; cut < bytes.length; cut += 7) {
      try {
        importOnnxBytes(bytes.subarray(0, cut), "cut.onnx");
      } catch (e) {
        expect(e).toBeInstanceOf(ModelError);
        expect((e as Error).message).toMatch(/^cut\.onnx: /);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });

  it("rejects random bytes and an empty file", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const e = importError(randomBytes(64 + seed * 13, seed), "noise.onnx");
      expect(e.message).toMatch(/^noise\.onnx: /);
    }
    expect(importError(new Uint8Array(0), "empty.onnx").message).toMatch(/not an ONNX model/);
  });

  it("lists every unsupported op and domain at once", () => {
    const bytes = buildModel({
      ...reluModel,
      nodes: [
        { op: "FrobnicateA", inputs: ["x"], outputs: ["a"], name: "fa" },
        { op: "FrobnicateB", inputs: ["a"], outputs: ["b"], name: "fb" },
        { op: "FusedConv", domain: "com.microsoft", inputs: ["b"], outputs: ["y"], name: "fc" },
      ],
    });
    const e = importError(bytes);
    expect(e.message).toContain("FrobnicateA (fa)");
    expect(e.message).toContain("FrobnicateB (fb)");
    expect(e.message).toContain("com.microsoft.FusedConv (fc)");
  });

  it("names an unsupported data type", () => {
    const proto = buildModelProto(reluModel);
    proto.graph!.initializer!.push(onnx.TensorProto.create({ name: "z", dataType: 14, dims: [2] }));
    const e = importError(onnx.ModelProto.encode(proto).finish());
    expect(e.message).toContain("COMPLEX64");
  });

  it("refuses string tensors except as the input of a Cast to numbers, in one sentence", () => {
    const strings = (nodes: ModelSpec["nodes"], outType = "f32") =>
      importError(buildModel({ inputs: [{ name: "s", elemType: 8, shape: [2] }], outputs: [{ name: "y", elemType: outType === "string" ? 8 : 1, shape: [2] }], nodes }));
    expect(strings([{ op: "Identity", inputs: ["s"], outputs: ["y"], name: "id1" }], "string").message).toMatch(
      /the string tensor "s" is read by Identity \(node id1\); neonc computes on numbers/,
    );
    expect(strings([{ op: "Cast", inputs: ["s"], outputs: ["y"], name: "c1", attrs: { to: 8 } }], "string").message).toMatch(/Cast \(node c1\) casts to string/);
    expect(importOnnxBytes(buildModel({ inputs: [{ name: "s", elemType: 8, shape: [2] }], outputs: [{ name: "y", shape: [2] }], nodes: [{ op: "Cast", inputs: ["s"], outputs: ["y"], attrs: { to: 1 } }] }), "cast.onnx").nodes).toHaveLength(1);
  });

  it("names a missing initializer with its node and op", () => {
    const bytes = buildModel({ ...reluModel, nodes: [{ op: "Conv", inputs: ["x", "w_missing"], outputs: ["y"], name: "conv7" }] });
    const e = importError(bytes);
    expect(e.message).toContain('node "conv7" (Conv)');
    expect(e.message).toContain("w_missing");
  });

  it("refuses external data that leaves the model's folder", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-ext-"));
    mkdirSync(path.join(dir, "model"));
    writeFileSync(path.join(dir, "secret.bin"), new Uint8Array(16));
    const proto = buildModelProto(reluModel);
    proto.graph!.initializer!.push(
      onnx.TensorProto.create({
        name: "w", dataType: 1, dims: [4], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [onnx.StringStringEntryProto.create({ key: "location", value: "../secret.bin" })],
      }),
    );
    const file = path.join(dir, "model", "m.onnx");
    writeFileSync(file, onnx.ModelProto.encode(proto).finish());
    expect(() => importOnnxFile(file)).toThrow(/leaves the model's folder/);
  });

  it("reads external data inside the model's folder", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "neonc-ext-"));
    const data = new Float32Array([1, -2, 3, -4]);
    writeFileSync(path.join(dir, "w.bin"), new Uint8Array(data.buffer));
    const proto = buildModelProto({
      inputs: [{ name: "x", shape: [4] }],
      outputs: [{ name: "y", shape: [4] }],
      nodes: [{ op: "Relu", inputs: ["w"], outputs: ["r"] }, { op: "Add", inputs: ["x", "r"], outputs: ["y"] }],
    });
    proto.graph!.initializer!.push(
      onnx.TensorProto.create({
        name: "w", dataType: 1, dims: [4], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [onnx.StringStringEntryProto.create({ key: "location", value: "w.bin" })],
      }),
    );
    const file = path.join(dir, "m.onnx");
    writeFileSync(file, onnx.ModelProto.encode(proto).finish());
    const g = importOnnxFile(file);
    expect(Array.from(g.constants["r"]!.data as Float32Array)).toEqual([1, 0, 3, 0]);
  });

  it("refuses absurd declared sizes without allocating them", () => {
    const proto = buildModelProto(reluModel);
    proto.graph!.initializer!.push(onnx.TensorProto.create({ name: "huge", dataType: 1, dims: [1_000_000_000, 1_000_000_000] }));
    expect(importError(onnx.ModelProto.encode(proto).finish()).message).toMatch(/initializer "huge" declares .* elements/);

    const proto2 = buildModelProto(reluModel);
    proto2.graph!.initializer!.push(onnx.TensorProto.create({ name: "short", dataType: 1, dims: [100_000_000], rawData: new Uint8Array(8) }));
    expect(importError(onnx.ModelProto.encode(proto2).finish()).message).toMatch(/initializer "short" holds 8 bytes/);

    const bytes = buildModel({
      inputs: [{ name: "x", shape: [4] }],
      outputs: [{ name: "y", shape: [4] }],
      initializers: { s: fromNumbers("i64", [3], [1 << 20, 1 << 20, 1 << 20]) },
      nodes: [{ op: "ConstantOfShape", inputs: ["s"], outputs: ["big"], name: "cos" }, { op: "Relu", inputs: ["x"], outputs: ["y"] }],
    });
    expect(importError(bytes).message).toMatch(/node "cos" \(ConstantOfShape\)/);
  });

  it("reports inconsistent shapes with the node and op", () => {
    const bytes = buildModel({
      inputs: [{ name: "a", shape: [3] }, { name: "b", shape: [4] }],
      outputs: [{ name: "y", shape: [3] }],
      nodes: [{ op: "Add", inputs: ["a", "b"], outputs: ["y"], name: "add9" }],
    });
    expect(importError(bytes).message).toMatch(/node "add9" \(Add\).*broadcast/);
  });

  it("refuses an If that lacks a branch (one whose condition is known only at run time imports)", () => {
    const branch = (v: number) =>
      onnx.GraphProto.create({
        name: "b", node: [onnx.NodeProto.create({ opType: "Constant", output: ["o"], attribute: [onnx.AttributeProto.create({ name: "value_float", type: 1, f: v })] })],
        output: [onnx.ValueInfoProto.create({ name: "o" })],
      });
    const proto = buildModelProto({
      inputs: [{ name: "c", elemType: 9, shape: [] }],
      outputs: [{ name: "y", shape: [] }],
      nodes: [{ op: "If", inputs: ["c"], outputs: ["y"], name: "if1" }],
    });
    const node = proto.graph!.node![0]!;
    node.attribute = [onnx.AttributeProto.create({ name: "then_branch", type: 5, g: branch(1) })];
    expect(importError(onnx.ModelProto.encode(proto).finish()).message).toMatch(/node "if1" \(If\): the branch graph else_branch is missing/);
    node.attribute.push(onnx.AttributeProto.create({ name: "else_branch", type: 5, g: branch(0) }));
    const g = importOnnxBytes(onnx.ModelProto.encode(proto).finish(), "if.onnx");
    expect(g.nodes.map((n) => n.op)).toEqual(["If"]);
  });

  it("refuses unsupported opsets and files that are not there", () => {
    expect(importError(buildModel({ ...reluModel, opset: 22 })).message).toMatch(/opset 22 is not supported/);
    const legacyAdd = buildModel({
      inputs: [{ name: "a", shape: [2, 3] }, { name: "b", shape: [3] }],
      outputs: [{ name: "y", shape: [2, 3] }],
      nodes: [{ op: "Add", inputs: ["a", "b"], outputs: ["y"], name: "add6", attrs: { broadcast: 1 } }],
      opset: 6,
    });
    expect(importError(legacyAdd).message).toMatch(/node "add6" \(Add\): attribute "broadcast" is not supported/);
    expect(() => importOnnxFile("/nonexistent/model.onnx")).toThrow(/cannot read the model/);
    expect(() => importOnnxFile(os.tmpdir())).toThrow(/is a folder/);
  });
});
