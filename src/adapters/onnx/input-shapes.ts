// The `inputShapes` import option (the CLI's --input-shape NAME=D1,D2,...): fixes the symbolic
// dims of graph inputs to numbers before the graph is typed. A model exported with a run-time
// length (torch's squeeze(-1) becomes an If on Shape(x)[-1] == 1 whose branches differ in rank)
// then has every shape-derived condition known at import, so such an If keeps only the branch it
// takes. A symbol fixed on one input is fixed on every input that shares it, so the graph stays
// consistent. Everything that does not fit the model is a UsageError (exit 2 in the CLI).
import { UsageError } from "../../../ir/errors.js";
import { isSymbolic, dimSymbols, dimToString, shapeToString, substituteDim, type Dim } from "../../../ir/dim.js";
import type { TensorType } from "../../../ir/types.js";

/** Graph input name -> the dims it is fixed to (one positive integer per dim). */
export type InputShapes = Readonly<Record<string, readonly number[]>>;

/**
 * The value of each symbol the given shapes fix, checked against the inputs' declared types:
 * every name must be an input, the rank must match, a static dim must be given its own value,
 * every number must be a positive integer, and a symbol must get one value everywhere.
 */
export function inputShapeSymbols(where: string, shapes: InputShapes, types: ReadonlyMap<string, TensorType>): Record<string, number> {
  const env: Record<string, number> = {};
  for (const [name, dims] of Object.entries(shapes)) {
    const type = types.get(name);
    if (!type) {
      throw new UsageError(`${where}: cannot fix the shape of "${name}": the model has no input of that name (its inputs are ${[...types.keys()].join(", ") || "none"})`);
    }
    const what = `${where}: cannot fix the shape of input "${name}" ${shapeToString(type.shape)} to [${dims.join(",")}]`;
    const bad = dims.find((d) => !Number.isSafeInteger(d) || d <= 0);
    if (bad !== undefined) throw new UsageError(`${what}: every dim must be a positive integer, not ${bad}`);
    if (dims.length !== type.shape.length) throw new UsageError(`${what}: the input has rank ${type.shape.length}, not ${dims.length}`);
    type.shape.forEach((d: Dim, i) => {
      const want = dims[i]!;
      if (!isSymbolic(d)) {
        if (d !== want) throw new UsageError(`${what}: dim ${i} is ${d} in the model`);
        return;
      }
      const [s] = [...dimSymbols(d)];
      if (s === undefined) return;
      if (env[s] !== undefined && env[s] !== want) {
        throw new UsageError(`${what}: the symbolic dim ${dimToString(d)} is fixed to both ${env[s]} and ${want}`);
      }
      env[s] = want;
    });
  }
  return env;
}

/** `type` with the fixed symbols replaced by their numbers. */
export function specializeType(type: TensorType, env: Readonly<Record<string, number>>): TensorType {
  if (Object.keys(env).length === 0 || !type.shape.some(isSymbolic)) return type;
  return { ...type, shape: type.shape.map((d) => (isSymbolic(d) ? substituteDim(d, env) : d)) };
}
