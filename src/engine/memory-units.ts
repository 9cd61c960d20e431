/** Redis's memory units (memtoull): bytes per unit, lower-case; `k` is 1000 and `kb` 1024, as in redis.conf. */
export const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
}
