// Helpers for the toy passes of the property tests.
import type { Graph } from "../../ir/graph.js";

/** The inputs of a node that are not constants (in order). */
export function constantsOnly(g: Graph, inputs: readonly string[]): string[] {
  return inputs.filter((i) => !Object.prototype.hasOwnProperty.call(g.constants, i));
}
