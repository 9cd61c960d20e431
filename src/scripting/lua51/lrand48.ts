/**
 * The 48-bit linear congruential generator behind Redis's math.random (redisLrand48, a copy of the classic lrand48):
 * X' = (0x5DEECE66D * X + 0xB) mod 2^48, output X' >> 17 (31 bits). With the same seed it yields the same sequence as
 * redis-server, so `math.randomseed(42); math.random()` matches it digit for digit.
 */
const MULTIPLIER = 0x5deece66dn
const INCREMENT = 0xbn
const MASK = (1n << 48n) - 1n

export class Lrand48 {
  private state = 0x1234abcd330en

  /** srand48(seed): the high 32 bits from the (int32) seed, the low 16 bits 0x330E. */
  seed(seed: number): void {
    this.state = ((BigInt(seed >>> 0) << 16n) | 0x330en) & MASK
  }

  /** A non-negative 31-bit integer. */
  next(): number {
    this.state = (MULTIPLIER * this.state + INCREMENT) & MASK
    return Number(this.state >> 17n)
  }
}
