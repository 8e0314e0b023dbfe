// The passes that close every pipeline whose graph becomes C (compile, check, run --engine c,
// and the library's compileModel), appended after the user's pipeline and run with the
// code-generation target on the pass context (ctx.target). The target-aware `lower` pass goes
// here when it lands; until then nothing needs to run after the user's passes.
export function codegenStages(): string {
  return "";
}
