// A variant of a compiled model whose model.c calls an empty function before every node block
// and one after the last, so a trace of the run can tell which node each executed block
// belongs to (bench/arm/trace.ts opens a region at each marker). The markers cost a call and a
// return per node (counted apart, as their own blocks, never in a node's region), and are
// `noipa`: GCC neither inlines them nor merges the identical empty bodies into one address.
// Every node block of the run function starts with its `/* [I] Op ...` header at two spaces of
// indentation (codegen's per-node profiling finds the blocks the same way).
import type { CompiledModel } from "neonc";

const NODE_HEADER = /^ {2}\/\* \[(\d+)\] /;

/** Name of the marker that opens node i's region (i = node count: the end of the run). */
export const markerName = (i: number) => `neonc_cost_mark_${i}`;

/** The model with node markers in model.c; nodeCount is the compiled graph's node count. */
export function markedModel(m: CompiledModel, nodeCount: number): CompiledModel {
  const src = m.files["model.c"];
  if (src === undefined) throw new Error("the compiled model has no model.c");
  const lines = src.split("\n");
  const runStart = lines.findIndex((l) => l.startsWith(`int ${m.prefix}_run(`));
  if (runStart < 0) throw new Error(`model.c has no ${m.prefix}_run`);
  const runEnd = lines.indexOf("}", runStart);
  if (runEnd < 1 || lines[runEnd - 1] !== "  return 0;") throw new Error(`model.c: cannot find the end of ${m.prefix}_run`);
  const out: string[] = [];
  let seen = 0;
  lines.forEach((line, i) => {
    if (i === runStart) {
      for (let k = 0; k <= nodeCount; k++) out.push(`__attribute__((noipa)) static void ${markerName(k)}(void) { __asm__ volatile(""); }`);
      out.push("");
    }
    if (i > runStart && i < runEnd) {
      if (NODE_HEADER.test(line)) {
        out.push(`  ${markerName(Number(NODE_HEADER.exec(line)![1]))}();`);
        seen++;
      }
      if (i === runEnd - 1) out.push(`  ${markerName(nodeCount)}();`);
    }
    out.push(line);
  });
  if (seen !== nodeCount) throw new Error(`model.c has ${seen} node blocks, the graph ${nodeCount} nodes`);
  return { ...m, files: { ...m.files, "model.c": out.join("\n") } };
}
