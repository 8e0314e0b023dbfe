// examples/library/compile.ts — `neonc compile MODEL --target aarch64 --max-dim T=500 -o DIR` as
// code: compileModel runs the model pipeline (-O1 by default, then the codegen stages for the
// target) and the C generator; writeSources writes model.h, model.c, weights.*, main.c, Makefile.
import { compileModel, loadModel, writeSources } from "neonc";

const { model } = compileModel(loadModel("examples/digits/model.onnx"), { target: "aarch64", maxDims: { T: 500 } });
writeSources(model, "out/library/c");
console.log(`wrote ${Object.keys(model.files).sort().join(", ")} to out/library/c; arena ${model.arenaBytes} bytes, weights ${model.weightBytes} bytes`);
