// Every shared model compiled for portable C99, built with the host gcc (-Werror), run natively;
// and one model's build under the address and undefined-behaviour sanitizers.
import path from "node:path";
import { it } from "vitest";
import { importOnnxFile } from "../../src/adapters/onnx/index.js";
import { readTensorFile } from "../../src/adapters/onnx/tensor.js";
import { runPipeline } from "../../passes/index.js";
import { checkGraph, requireModels, rigOrSkip } from "./helpers.js";
import { describeSharedModels } from "./shared-models.js";

describeSharedModels("c99", "native");



it("convdfsmn's c99 build runs clean under -fsanitize=address,undefined", (ctx) => {
  const rig = rigOrSkip(ctx, "c99", "native");
  const dir = path.join(requireModels(), "convdfsmn");
  const original = importOnnxFile(path.join(dir, "model.onnx"));
  const g = runPipeline(original, "-O1", { log: () => {} });
  const inputs = { [g.inputs[0]!]: readTensorFile(path.join(dir, "test_data_set_1/input_0.pb")).tensor };
  checkGraph(g, "c99", rig, [inputs], {
    maxDims: { T: 300 }, ref: original,
    build: { extraFlags: ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"] },
  });
});
