// Shape arithmetic through Equal and Where: torch's `expand(N, -1)` exports its target as
// Where(Equal(shape, -1), ones, shape), and the shape may hold symbolic dims (N, T, a run-time
// length). Dims are never negative, so a dim against a negative number is unequal; other symbolic
// pairs are equal only when they print the same, and unknown otherwise.
import { dimEquals, type Dim } from "../../dim.js";

/** Elements of equal-length or one-element vectors, paired; undefined when they do not pair. */
function paired(vs: readonly (readonly Dim[] | undefined)[]): Dim[][] | undefined {
  if (vs.some((v) => !v)) return undefined;
  const n = Math.max(...vs.map((v) => v!.length));
  if (vs.some((v) => v!.length !== n && v!.length !== 1)) return undefined;
  return Array.from({ length: n }, (_, i) => vs.map((v) => v![v!.length === 1 ? 0 : i]!));
}

/** Equal over known vectors (1 or 0 per element), when every pair is decided. */
export function foldEqual(inputs: readonly (readonly Dim[] | undefined)[]): (readonly Dim[])[] | undefined {
  const rows = paired(inputs.slice(0, 2));
  if (!rows) return undefined;
  const out: number[] = [];
  for (const [a, b] of rows) {
    if (typeof a === "number" && typeof b === "number") out.push(a === b ? 1 : 0);
    else if (dimEquals(a!, b!)) out.push(1);
    else if ((typeof a === "number" && a < 0) || (typeof b === "number" && b < 0)) out.push(0);
    else return undefined;
  }
  return [out];
}

/** Where over known vectors whose condition is known. */
export function foldWhere(inputs: readonly (readonly Dim[] | undefined)[]): (readonly Dim[])[] | undefined {
  const rows = paired(inputs.slice(0, 3));
  if (!rows || rows.some(([c]) => typeof c !== "number")) return undefined;
  return [rows.map(([c, x, y]) => (c !== 0 ? x! : y!))];
}
