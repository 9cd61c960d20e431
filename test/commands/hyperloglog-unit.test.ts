import { describe, expect, it } from 'vitest'
import { murmurHash64A } from '../../src/commands/hll-sketch.ts'
import { testEngine } from '../helpers.ts'

/** MurmurHash64A written directly from its definition with 64-bit BigInt arithmetic, as a reference. */
function referenceMurmur(data: Buffer, seed = 0xadc83b19n): bigint {
  const mask = (1n << 64n) - 1n
  const m = 0xc6a4a7935bd1e995n
  let h = (seed ^ (BigInt(data.length) * m)) & mask
  const blocks = data.length - (data.length & 7)
  for (let i = 0; i < blocks; i += 8) {
    let k = data.readBigUInt64LE(i)
    k = (k * m) & mask
    k ^= k >> 47n
    k = (k * m) & mask
    h ^= k
    h = (h * m) & mask
  }
  const rest = data.length & 7
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) h ^= BigInt(data[blocks + i]) << BigInt(8 * i)
    h = (h * m) & mask
  }
  h ^= h >> 47n
  h = (h * m) & mask
  h ^= h >> 47n
  return h
}

describe('HyperLogLog internals', () => {
  it('hashes like MurmurHash64A for every tail length and for long inputs', () => {
    for (let len = 0; len < 40; len++) {
      const data = Buffer.alloc(len)
      for (let i = 0; i < len; i++) data[i] = (i * 97 + len * 31 + 200) & 0xff
      expect(murmurHash64A(data)).toBe(referenceMurmur(data))
    }
    const big = Buffer.alloc(10000, 0xff)
    expect(murmurHash64A(big)).toBe(referenceMurmur(big))
  })

  it('estimates within Redis error bounds (0.81% standard error) at several sizes', async () => {
    const t = testEngine()
    let added = 0
    for (const target of [1000, 10000, 50000]) {
      const batch: string[] = []
      for (; added < target; added++) {
        batch.push(`element:${added}`)
        if (batch.length === 1000) {
          await t.conn.call('PFADD', 'hll', ...batch)
          batch.length = 0
        }
      }
      if (batch.length) await t.conn.call('PFADD', 'hll', ...batch)
      const estimate = Number(await t.conn.call('PFCOUNT', 'hll'))
      // Five standard errors: a failure means a broken sketch, not bad luck.
      expect(Math.abs(estimate - target) / target).toBeLessThan(0.0405)
    }
  })

  it('keeps the cached cardinality in the value and invalidates it on change', async () => {
    const t = testEngine()
    await t.conn.call('PFADD', 'h', 'a', 'b', 'c')
    const stale = (await t.conn.call('GET', 'h')) as Buffer
    expect(stale[15] & 0x80).toBe(0x80)
    expect(await t.conn.call('PFCOUNT', 'h')).toBe(3)
    const cached = (await t.conn.call('GET', 'h')) as Buffer
    expect(cached.readUInt32LE(8)).toBe(3)
    expect(cached[15] & 0x80).toBe(0)
    // The earlier reply is not changed by the later write (values are never modified in place).
    expect(stale[15] & 0x80).toBe(0x80)
  })

  it('PFCOUNT that refreshes the cache invalidates a WATCH, as in Redis', async () => {
    const t = testEngine()
    await t.conn.call('PFADD', 'h', 'a')
    await t.conn.call('WATCH', 'h')
    await t.conn.call('PFCOUNT', 'h')
    await t.conn.call('MULTI')
    await t.conn.call('PING')
    expect(await t.resp('EXEC')).toBe('*-1\r\n')
    // Now the cache is valid: PFCOUNT only reads.
    await t.conn.call('WATCH', 'h')
    await t.conn.call('PFCOUNT', 'h')
    await t.conn.call('MULTI')
    await t.conn.call('PING')
    expect(await t.resp('EXEC')).toBe('*1\r\n+PONG\r\n')
  })
})
