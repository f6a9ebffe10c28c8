/**
 * Seeded randomness for the fuzz tests. Each target draws its inputs from one PRNG, so a
 * failure replays with `FUZZ_SEED=<seed>`; the seed and iteration are in the error message.
 */

/** Deterministic PRNG (mulberry32): floats in [0, 1). */
function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one PRNG. */
export class Rand {
  constructor(readonly next: () => number) {}
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** Random text from an alphabet (by default: anything, including surrogates and controls). */
  text(n: number, alphabet?: string): string {
    let s = '';
    for (let i = 0; i < n; i++)
      s += alphabet
        ? alphabet[this.int(alphabet.length)]
        : String.fromCharCode(this.chance(0.8) ? 32 + this.int(95) : this.int(0x10000));
    return s;
  }
}

/** The seed of a run: `FUZZ_SEED` when set, otherwise a fresh one (printed when the run fails). */
function fuzzSeed(): number {
  const fromEnv = Number(process.env.FUZZ_SEED);
  return Number.isFinite(fromEnv) && process.env.FUZZ_SEED ? fromEnv >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}

/**
 * Runs `body` with fresh random inputs until `ms` elapsed (at least `minIterations` times).
 * A throw is rethrown with the seed and iteration, so `FUZZ_SEED=<seed>` replays it.
 * Returns the number of iterations run.
 */
export async function fuzz(
  ms: number,
  body: (rand: Rand, iteration: number) => void | Promise<void>,
  minIterations = 20,
): Promise<number> {
  const seed = fuzzSeed();
  const rand = new Rand(rng(seed));
  const deadline = Date.now() + ms;
  let i = 0;
  for (; i < minIterations || Date.now() < deadline; i++) {
    try {
      await body(rand, i);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      e.message = `[fuzz seed ${seed}, iteration ${i}; replay with FUZZ_SEED=${seed}] ${e.message}`;
      throw e;
    }
  }
  return i;
}
