// Seeded standard-normal samples for the starting point of synthetic inputs.
//
// The uniform source is the interpreter's MT19937 (numpy's generator), turned into normals by
// the Box-Muller transform, so a seed gives the same inputs on every machine and run.
import { MT19937 } from "../../../../ir/kernels/mt19937.js";

export class GaussianSource {
  private readonly mt: MT19937;
  private spare: number | undefined;

  constructor(seed: number) {
    this.mt = MT19937.fromSeed(seed >>> 0);
  }

  next(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const u = 1 - this.mt.nextDouble(), v = this.mt.nextDouble();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  fill(out: Float32Array | Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.next();
  }
}
