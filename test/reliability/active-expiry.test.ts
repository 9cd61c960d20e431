/**
 * Active expiry clears a mass of expired keys quickly, as Redis's adaptive cycle does: a database is walked again at
 * once while more than 10% of the keys just sampled had expired, within a time budget per pass. Deterministic: the
 * engine runs on a manual clock and the passes are called as the server's cron would call them.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine } from '../../src/engine/engine.ts'
import { memoryLogger } from '../../src/engine/logger.ts'

function engineWith(keys: number, ttlOf: (i: number) => number | null, clock = new ManualClock()): Engine {
  const engine = new Engine({ clock, logger: memoryLogger() })
  engine.direct((keyspace) => {
    const db = keyspace.db(0)
    for (let i = 0; i < keys; i++) {
      db.set(`key:${i}`, Buffer.from('v'))
      const ttl = ttlOf(i)
      if (ttl !== null) db.setExpire(`key:${i}`, clock.now() + ttl)
    }
  })
  return engine
}

describe('active expiry', () => {
  it('200,000 keys that all expired are gone after one pass (one cron tick)', () => {
    const clock = new ManualClock()
    const engine = engineWith(200_000, () => 100, clock)
    clock.advance(101)
    expect(engine.runCron()).toBe(200_000)
    expect(engine.keyspace.db(0).size).toBe(0)
    expect(engine.keyspace.stats.expiredKeys).toBe(200_000)
  })

  it('expired keys mixed with live ones: every expired key goes within a tick, no live key is touched', () => {
    const clock = new ManualClock()
    // One key in three lives on; the others expire at 100 ms.
    const engine = engineWith(30_000, (i) => (i % 3 === 0 ? 1_000_000 : 100), clock)
    clock.advance(101)
    expect(engine.runCron()).toBe(20_000)
    expect(engine.keyspace.db(0).size).toBe(10_000)
    expect(engine.keyspace.db(0).expires.size).toBe(10_000)
  })

  it('a pass stops at its time budget and asks for fast passes, which finish the work', () => {
    // A clock whose microseconds move 1 ms at every look: the slow pass (25 ms at hz 10) runs out of time.
    const clock = new ManualClock()
    let extra = 0
    const ticking = { now: () => clock.now(), nowMicros: () => clock.nowMicros() + BigInt((extra += 1000)) }
    const engine = new Engine({ clock: ticking, logger: memoryLogger() })
    engine.direct((keyspace) => {
      for (let i = 0; i < 50_000; i++) {
        keyspace.db(0).set(`k${i}`, Buffer.from('v'))
        keyspace.db(0).setExpire(`k${i}`, clock.now() + 10)
      }
    })
    clock.advance(11)
    const first = engine.runCron()!
    expect(first).toBeGreaterThan(0)
    expect(first).toBeLessThan(50_000)
    expect(engine.expireBacklog).toBe(true)
    let passes = 0
    while (engine.expireBacklog && passes < 10_000) {
      engine.runCron(undefined, 'fast')
      passes++
    }
    expect(engine.keyspace.db(0).size).toBe(0)
    expect(engine.expireBacklog).toBe(false)
  })

  it('keys with a TTL in the future are walked but never deleted, and the walk goes round all of them', () => {
    const clock = new ManualClock()
    const engine = engineWith(1_000, (i) => (i === 999 ? 50 : 10_000), clock)
    // Only the last key (in insertion order) expires; few expired keys per sample, so one loop per tick.
    clock.advance(51)
    let ticks = 0
    while (engine.keyspace.db(0).size === 1_000 && ticks < 200) {
      engine.runCron()
      ticks++
    }
    expect(engine.keyspace.db(0).size).toBe(999)
    // 1,000 keys, 20 per loop: the cursor reaches the last key within 50 ticks.
    expect(ticks).toBeLessThanOrEqual(50)
  })
})
