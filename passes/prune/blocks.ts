// Block structure of a weight seen as the GEMM it feeds: rows are output features (a Conv's output
// channels within a group, a MatMul's or Gemm's output columns), columns its reduction index (a
// Conv's taps and input channels, tap-major as the C GEMMs pack them: column = tap * Cg + c; a
// MatMul's K). A block of R x C is R consecutive rows by C consecutive columns of one group; rows
// and columns that do not divide evenly leave smaller blocks at the edges. Magnitude pruning
// zeroes the blocks of least squared norm, a given fraction of them per weight.

/** The GEMM view of a weight: element (group, row, col) at `index(group, row, col)` of its data. */
export interface GemmView {
  readonly groups: number;
  readonly rows: number;
  readonly cols: number;
  index(group: number, row: number, col: number): number;
  /** The input channel (of the op's activation input) that column `col` of group `group` multiplies. */
  inputChannel(group: number, col: number): number;
}

/** Per element of the weight: the norm of the input channel it multiplies (Wanda's weighting). */
export function elementWeights(view: GemmView, size: number, channelNorms: ArrayLike<number>): Float64Array {
  const out = new Float64Array(size);
  for (let g = 0; g < view.groups; g++) {
    for (let r = 0; r < view.rows; r++) for (let c = 0; c < view.cols; c++) out[view.index(g, r, c)] = channelNorms[view.inputChannel(g, c)] ?? 0;
  }
  return out;
}

export interface BlockShape {
  readonly rows: number;
  readonly cols: number;
}

/** "8x1" as a block shape (rows x columns). */
export function parseBlock(text: string): BlockShape {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new Error(`block '${text}' is not ROWSxCOLS`);
  return { rows: Number(m[1]), cols: Number(m[2]) };
}

/** Each block's element indices, group by group, rows then columns. */
export function blocksOf(view: GemmView, block: BlockShape): number[][] {
  const out: number[][] = [];
  for (let g = 0; g < view.groups; g++) {
    for (let r0 = 0; r0 < view.rows; r0 += block.rows) {
      for (let c0 = 0; c0 < view.cols; c0 += block.cols) {
        const members: number[] = [];
        for (let r = r0; r < Math.min(r0 + block.rows, view.rows); r++) {
          for (let c = c0; c < Math.min(c0 + block.cols, view.cols); c++) members.push(view.index(g, r, c));
        }
        out.push(members);
      }
    }
  }
  return out;
}

/** How many of the blocks are all zero. */
export function zeroBlocks(data: ArrayLike<number>, blocks: readonly number[][]): number {
  return blocks.filter((b) => b.every((i) => data[i] === 0)).length;
}

/**
 * The weights with the `count` blocks of least squared norm set to zero (ties: the earlier block
 * first, so the result is deterministic), and the share of the (weighted) squared norm kept.
 */
export function pruneBlocks(data: ArrayLike<number>, blocks: readonly number[][], count: number, weight?: ArrayLike<number>): { values: Float64Array; kept: number } {
  // With `weight` (Wanda: each element's input norm), the score is the squared norm of w * weight.
  const norm = blocks.map((b) => b.reduce((s, i) => s + (data[i]! * (weight ? weight[i]! : 1)) ** 2, 0));
  const order = blocks.map((_, k) => k).sort((a, b) => norm[a]! - norm[b]! || a - b);
  const values = Float64Array.from(data);
  let total = 0, removed = 0;
  for (const v of norm) total += v;
  for (const k of order.slice(0, count)) {
    for (const i of blocks[k]!) values[i] = 0;
    removed += norm[k]!;
  }
  return { values, kept: total === 0 ? 1 : (total - removed) / total };
}
