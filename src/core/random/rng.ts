/**
 * Seeded, splittable pseudo-random numbers for the pure core (no Math.random: a run must be
 * bit-reproducible from its seed).
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2021), 128-bit state in four uint32 words — native to JavaScript's 32-bit
 * integer operations, period 2^128 − 1. The state is filled by SplitMix32-style hashing of
 * (seed, stream id), so streams with different ids are statistically independent for all
 * practical purposes; `split(name)` derives a child stream deterministically from a label,
 * which keeps e.g. the teacher's draw unchanged when the student's width changes.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = Number.NaN;
  readonly seed: number;
  readonly stream: string;

  constructor(seed: number, stream = "") {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    }
    this.seed = seed;
    this.stream = stream;
    let h = mix32(seed ^ 0x9e3779b9);
    for (let k = 0; k < stream.length; k++)
      h = mix32(h ^ Math.imul(stream.charCodeAt(k), 0x85ebca6b));
    this.s0 = mix32(h + 0x6a09e667);
    this.s1 = mix32(this.s0 + 0xbb67ae85);
    this.s2 = mix32(this.s1 + 0x3c6ef372);
    this.s3 = mix32(this.s2 + 0xa54ff53a);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A child generator whose stream is a deterministic function of this seed, stream and name. */
  split(name: string): Rng {
    return new Rng(this.seed, `${this.stream}/${name}`);
  }

  /** Next uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by the Box–Muller transform (pairs cached). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = Number.NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fill `out` with independent N(0, scale²) draws. */
  fillNormal(out: Float64Array, scale = 1): Float64Array {
    for (let k = 0; k < out.length; k++) out[k] = scale * this.normal();
    return out;
  }

  /** +1 or −1 with equal probability. */
  sign(): number {
    return this.nextUint32() & 1 ? 1 : -1;
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A 32-bit avalanche hash (the finalizer of MurmurHash3). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
