import { it } from "vitest";
import { runPipeline } from "../../passes/run.js";
import "../../passes/index.js";
import { propertyPreserves } from "../../src/testing/index.js";
for (const p of ["canonicalize", "fold-batchnorm", "fuse-activation", "conv1d", "-O1"]) {
  it(p, () => {
    propertyPreserves((g) => runPipeline(g, p, { log: () => {} }), { name: p, tolerance: { relToMax: 1e-5 }, numRuns: 1000 });
  });
}
