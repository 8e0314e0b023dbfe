// A variant of a compiled model whose model.c calls an empty function before every node block
// and one after the last, so a trace of the run can tell which node each executed block
// belongs to (bench/arm/trace.ts opens a region at each marker). The markers cost a call and a
// return per node (counted apart, as their own blocks, never in a node's region), and are
// `noipa`: GCC neither inlines them nor merges the identical empty bodies into one address.
// Every node block of the run function starts with its `/* [I] Op ...` header at two spaces of
// indentation: codegen/profile.ts's markNodeBlocks finds them, as for per-node profiling.
import { markNodeBlocks, type CompiledModel } from "neonc";

/** Name of the marker that opens node i's region (i = node count: the end of the run). */
export const markerName = (i: number) => `neonc_cost_mark_${i}`;

/** The model with node markers in model.c; nodeCount is the compiled graph's node count. */
export function markedModel(m: CompiledModel, nodeCount: number): CompiledModel {
  const prelude = Array.from({ length: nodeCount + 1 }, (_, k) => `__attribute__((noipa)) static void ${markerName(k)}(void) { __asm__ volatile(""); }`);
  return markNodeBlocks(m, nodeCount, { prelude: [...prelude, ""], mark: (i) => `  ${markerName(i)}();` });
}
