// The IR in one import: core types and graph, op definitions and registry, the verifier and
// the textual form. Importing it registers every op definition.
import "./ops/index.js";

export * from "./dtype.js";
export * from "./dim.js";
export * from "./types.js";
export * from "./graph.js";
export * from "./op.js";
export * from "./registry.js";
export * from "./shape-util.js";
export * from "./verify.js";
export * from "./text/index.js";
