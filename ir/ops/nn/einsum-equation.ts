// The parsed form of an Einsum equation ("bhtd,bhsd->bhts", "...ii->...i", "ij,jk"), shared by
// the op's type rule and its kernel: per operand the label of each axis, the output's labels, and
// the size of every label. An ellipsis stands for broadcast dims, given labels "...0", "...1"
// (outermost first) so the rest of the code treats them like letters.
import { dimEquals, dimToString, type Dim } from "../../dim.js";
import { broadcastDims } from "../../shape-util.js";

export interface Einsum<D> {
  /** Labels of each operand's axes, in axis order. */
  readonly operands: readonly (readonly string[])[];
  /** Labels of the output axes. */
  readonly output: readonly string[];
  /** Labels summed over (in no output axis), in first-seen order. */
  readonly summed: readonly string[];
  /** Size of every label. */
  readonly sizes: ReadonlyMap<string, D>;
}

const ELLIPSIS = "...";

/** Splits one side's term into letters and at most one ellipsis. */
function terms(term: string, what: string): (string | typeof ELLIPSIS)[] {
  const out: string[] = [];
  let seenEllipsis = false;
  for (let i = 0; i < term.length; i++) {
    if (term.startsWith(ELLIPSIS, i)) {
      if (seenEllipsis) throw new Error(`${what} "${term}" has two ellipses`);
      seenEllipsis = true;
      out.push(ELLIPSIS);
      i += 2;
    } else if (/[A-Za-z]/.test(term[i]!)) out.push(term[i]!);
    else throw new Error(`${what} "${term}" has a character '${term[i]}' that is not a letter or "..."`);
  }
  return out;
}

/**
 * Parses `equation` for operands of the given shapes (numbers, or symbolic dims for type
 * inference) and works out every label's size; throws a readable error when they disagree.
 */
export function parseEinsum<D extends Dim>(equation: string, shapes: readonly (readonly D[])[]): Einsum<D> {
  const eq = equation.replace(/\s+/g, "");
  const arrow = eq.indexOf("->");
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const rhs = arrow < 0 ? undefined : eq.slice(arrow + 2);
  const parts = lhs.split(",");
  if (parts.length !== shapes.length) throw new Error(`equation "${equation}" has ${parts.length} operand terms for ${shapes.length} inputs`);

  // Ellipsis dims of each operand, then their broadcast.
  const parsed = parts.map((p, k) => terms(p, `operand ${k} term`));
  const ellipsisShapes: D[][] = parsed.map((t, k) => {
    const letters = t.filter((l) => l !== ELLIPSIS).length;
    const rank = shapes[k]!.length;
    if (!t.includes(ELLIPSIS)) {
      if (letters !== rank) throw new Error(`operand ${k} term "${parts[k]}" has ${letters} labels for rank ${rank}`);
      return [];
    }
    if (letters > rank) throw new Error(`operand ${k} term "${parts[k]}" has ${letters} labels for rank ${rank}`);
    const at = t.indexOf(ELLIPSIS);
    return shapes[k]!.slice(at, at + rank - letters) as D[];
  });
  const ell = broadcastDims(...ellipsisShapes) as D[];
  const ellLabels = ell.map((_, i) => `${ELLIPSIS}${i}`);

  const sizes = new Map<string, D>();
  ell.forEach((d, i) => sizes.set(ellLabels[i]!, d));
  const counts = new Map<string, number>();
  const operands = parsed.map((t, k) => {
    const labels: string[] = [];
    let axis = 0;
    for (const l of t) {
      if (l === ELLIPSIS) {
        const n = ellipsisShapes[k]!.length;
        labels.push(...ellLabels.slice(ellLabels.length - n));
        axis += n;
        continue;
      }
      const d = shapes[k]![axis++]!;
      const prev = sizes.get(l);
      if (prev === undefined) sizes.set(l, d);
      else if (!dimEquals(prev, d)) throw new Error(`label '${l}' has size ${dimToString(prev)} and ${dimToString(d)}`);
      counts.set(l, (counts.get(l) ?? 0) + 1);
      labels.push(l);
    }
    return labels;
  });

  let output: string[];
  if (rhs === undefined) {
    // Implicit output: the ellipsis dims, then the letters used once, in alphabetical order.
    output = [...ellLabels, ...[...counts].filter(([, c]) => c === 1).map(([l]) => l).sort()];
  } else {
    output = [];
    for (const l of terms(rhs, "output term")) {
      if (l === ELLIPSIS) output.push(...ellLabels);
      else if (!sizes.has(l)) throw new Error(`output label '${l}' is in no operand`);
      else if (output.includes(l)) throw new Error(`output label '${l}' appears twice`);
      else output.push(l);
    }
  }
  const summed = [...sizes.keys()].filter((l) => !output.includes(l));
  return { operands, output, summed, sizes };
}
