// Product of a list of dims for MAC counts (at most one of them may be symbolic).
import { mulDim, type Dim } from "../../dim.js";

export function dimProduct(dims: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of dims) p = mulDim(p, d);
  return p;
}
