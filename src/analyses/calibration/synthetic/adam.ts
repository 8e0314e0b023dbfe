// Adam (Kingma & Ba) over one flat parameter array: the optimiser that moves synthetic inputs.
// Its per-coordinate step size makes the progress insensitive to the loss's overall scale,
// which varies by orders of magnitude between models (it sums squared statistics of every layer).

export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(size: number, private readonly o: AdamOptions) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.b1 = o.beta1 ?? 0.9;
    this.b2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
  }

  /** x -= lr * mhat / (sqrt(vhat) + eps), with bias-corrected moment estimates. */
  step(x: Float32Array | Float64Array, grad: Float32Array | Float64Array): void {
    this.t++;
    const { m, v, b1, b2, eps } = this;
    const c1 = 1 / (1 - b1 ** this.t), c2 = 1 / (1 - b2 ** this.t);
    const lr = this.o.lr;
    for (let i = 0, n = x.length; i < n; i++) {
      const g = grad[i]!;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * g);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
      x[i] -= (lr * mi * c1) / (Math.sqrt(vi * c2) + eps);
    }
  }
}
