// The passes that close every pipeline whose graph becomes C (compile, check, run --engine c,
// and the library's compileModel), appended after the user's pipeline and run with the
// code-generation target on the pass context (ctx.target): the target-aware `lower` stage,
// which gives every Conv, QConv, MatMul and Gemm the algorithm it runs with (passes/lower).
// compileGraph lowers again (a no-op on a lowered graph), so a graph handed to it directly
// gets the same algorithms.
export function codegenStages(): string {
  return "lower";
}
