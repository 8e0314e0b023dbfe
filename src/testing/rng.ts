// A small seeded pseudo-random generator (mulberry32) for the data the testing kit draws
// outside fast-check: layer weights, graph inputs. Everything derived from one seed is
// reproducible, which is what lets a failing property test print a seed that replays it.

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }
  /** n numbers uniform in [lo, hi) (data for hand-computed formulas; seededTensor makes tensors). */
  uniforms(n: number, lo: number, hi: number): number[] {
    return Array.from({ length: n }, () => this.uniform(lo, hi));
  }
  /** n integers uniform in [lo, hi]. */
  ints(n: number, lo: number, hi: number): number[] {
    return Array.from({ length: n }, () => this.int(lo, hi));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * A seeded source of numbers in [0, 1) as a plain function, for code written against a
 * Math.random-like source (fixed test data, C drivers' inputs). Same algorithm as Rng.
 */
export function randomSource(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}
