/**
 * The injected random source: RANDOMKEY, SPOP, SRANDMEMBER, Lua's math.random and client-visible run ids draw from it,
 * so a simulation seed fixes every "random" choice. seedrandom gives a fast, well-tested seeded generator.
 */
import seedrandom from 'seedrandom'

export interface RandomSource {
  /** A float in [0, 1). */
  next(): number
}

/** An integer in [0, n). */
export function randomInt(random: RandomSource, n: number): number {
  return Math.floor(random.next() * n)
}

export function seededRandom(seed: string | number): RandomSource {
  const prng = seedrandom(String(seed))
  return { next: () => prng.quick() }
}

/**
 * The production source: seeded from the OS entropy pool once (via seedrandom's autoseed), never Math.random, so
 * that even production draws stay in one well-known place.
 */
export function systemRandom(): RandomSource {
  const prng = seedrandom(undefined, { entropy: true })
  return { next: () => prng.quick() }
}
