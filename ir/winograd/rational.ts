// Exact rational numbers over BigInt, for the Winograd transforms (transforms.ts): the matrices
// are derived and checked in exact arithmetic, and rounded to float or scaled to integers only
// at the end, so no rounding of the derivation can leak into the kernels.

export class Rational {
  /** Always in lowest terms with a positive denominator. */
  private constructor(readonly num: bigint, readonly den: bigint) {}

  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    let n = BigInt(num), d = BigInt(den);
    if (d === 0n) throw new Error("rational with a zero denominator");
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcd(n < 0n ? -n : n, d);
    return new Rational(n / g, d / g);
  }

  /** Parses "3", "-1/2". */
  static parse(text: string): Rational {
    const m = /^\s*([+-]?\d+)(?:\s*\/\s*(\d+))?\s*$/.exec(text);
    if (!m) throw new Error(`not a rational number: '${text}'`);
    return Rational.of(BigInt(m[1]!), BigInt(m[2] ?? "1"));
  }

  static readonly ZERO = Rational.of(0n);
  static readonly ONE = Rational.of(1n);

  add(o: Rational): Rational { return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den); }
  sub(o: Rational): Rational { return Rational.of(this.num * o.den - o.num * this.den, this.den * o.den); }
  mul(o: Rational): Rational { return Rational.of(this.num * o.num, this.den * o.den); }
  div(o: Rational): Rational {
    if (o.num === 0n) throw new Error("rational division by zero");
    return Rational.of(this.num * o.den, this.den * o.num);
  }
  neg(): Rational { return new Rational(-this.num, this.den); }
  abs(): Rational { return this.num < 0n ? this.neg() : this; }
  isZero(): boolean { return this.num === 0n; }
  isInteger(): boolean { return this.den === 1n; }
  equals(o: Rational): boolean { return this.num === o.num && this.den === o.den; }
  compare(o: Rational): number {
    const d = this.num * o.den - o.num * this.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  /** The nearest double (exact for the small numbers of the transforms). */
  toNumber(): number { return Number(this.num) / Number(this.den); }
  toString(): string { return this.den === 1n ? `${this.num}` : `${this.num}/${this.den}`; }
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

export function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

export type RationalMatrix = readonly (readonly Rational[])[];

export function matMul(a: RationalMatrix, b: RationalMatrix): Rational[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s.add(v.mul(b[k]![j]!)), Rational.ZERO)));
}

export function transpose(a: RationalMatrix): Rational[][] {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

/** The inverse of a square matrix by Gauss-Jordan elimination (exact); throws when singular. */
export function inverse(a: RationalMatrix): Rational[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? Rational.ONE : Rational.ZERO))]);
  for (let c = 0; c < n; c++) {
    const p = m.findIndex((row, i) => i >= c && !row[c]!.isZero());
    if (p < 0) throw new Error("singular matrix");
    [m[c], m[p]] = [m[p]!, m[c]!];
    const inv = Rational.ONE.div(m[c]![c]!);
    m[c] = m[c]!.map((v) => v.mul(inv));
    for (let i = 0; i < n; i++) {
      if (i === c || m[i]![c]!.isZero()) continue;
      const f = m[i]![c]!;
      m[i] = m[i]!.map((v, j) => v.sub(f.mul(m[c]![j]!)));
    }
  }
  return m.map((row) => row.slice(n));
}
