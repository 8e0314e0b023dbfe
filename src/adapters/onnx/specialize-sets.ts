// Input sets grouped by the specialization they need: a model whose If cannot be imported under
// a run-time condition (load-model.ts's SpecializationNeeded) is imported once per group, with the
// dims of its inputs fixed (inputShapes: all of them, since inputs often share a batch dim under
// different names) and the inputs read by value bound (bind) to what that group's sets hold. `neonc check` with no flags takes a model folder of VAD chunks
// at 16 kHz and at 8 kHz this way, as two specializations.
import type { Tensor } from "../../../ir/types.js";
import { toNumbers } from "../../../ir/types.js";
import { UsageError } from "../../../ir/errors.js";
import type { InputSet } from "./run-plan.js";

export interface SpecializedSets {
  readonly inputShapes: Record<string, number[]>;
  readonly bind: Record<string, Tensor>;
  /** The sets, without the bound inputs (those are constants of the specialized graph). */
  readonly sets: InputSet[];
  /** `input=1,512, sr=16000`: what the group fixes, for messages. */
  readonly label: string;
}

/** The sets grouped by their input shapes and the values of `byValue`, in order of first appearance; `byShape` must be given. */
export function specializeSets(sets: readonly InputSet[], byShape: readonly string[], byValue: readonly string[]): SpecializedSets[] {
  const groups = new Map<string, { inputShapes: Record<string, number[]>; bind: Record<string, Tensor>; sets: InputSet[]; label: string }>();
  for (const set of sets) {
    const missing = [...byShape, ...byValue].find((n) => !set.inputs[n]);
    if (missing !== undefined) throw new UsageError(`${set.label} gives no tensor for the input "${missing}", which the model needs to specialize its If`);
    const shaped = Object.keys(set.inputs).filter((n) => !byValue.includes(n));
    const inputShapes: Record<string, number[]> = Object.fromEntries(shaped.map((n) => [n, [...set.inputs[n]!.shape]]));
    const bind: Record<string, Tensor> = Object.fromEntries(byValue.map((n) => [n, set.inputs[n]!]));
    const label = [
      ...shaped.map((n) => `${n}=${inputShapes[n]!.join(",")}`),
      ...byValue.map((n) => `${n}=${toNumbers(bind[n]!).join(",")}`),
    ].join(", ");
    let g = groups.get(label);
    if (!g) groups.set(label, (g = { inputShapes, bind, sets: [], label }));
    const kept = Object.fromEntries(Object.entries(set.inputs).filter(([n]) => !byValue.includes(n)));
    g.sets.push({ ...set, inputs: kept });
  }
  return [...groups.values()];
}

