// The C of an If node: the condition's one byte picks a block; each block holds its branch's
// nodes (each in its own block, as in the run function) and then copies the outputs the branch
// does not write in place. Both branches share one region of the arena, planned for the larger.
export interface BranchCode {
  /** "then_branch" or "else_branch". */
  readonly attr: string;
  readonly blocks: readonly string[];
  readonly copies: readonly string[];
  readonly arenaBytes: number;
}

export function ifBlock(header: string, condPtr: string, branches: readonly BranchCode[]): string {
  const body = (b: BranchCode | undefined) => {
    if (!b) return "  /* (no branch) */";
    const lines = [`/* ${b.attr}: ${b.blocks.length} node${b.blocks.length === 1 ? "" : "s"}, ${b.arenaBytes} arena bytes */`, ...b.blocks, ...b.copies];
    return lines.map((l) => l.split("\n").map((x) => (x ? `  ${x}` : x)).join("\n")).join("\n");
  };
  const then = branches.find((b) => b.attr === "then_branch");
  const other = branches.find((b) => b.attr === "else_branch");
  return [header, `if ((${condPtr})[0] != 0) {`, body(then), `} else {`, body(other), `}`].join("\n");
}
