/**
 * Time in a simulation is virtual and shared: user code's sleeps and Date, the client library's timers and the
 * server's clock (TTLs, expiry) all read the one clock the scheduler moves, so a ten-second stall costs no real time
 * and a key set with PX expires under a client that sleeps past it.
 */
import { setTimeout as timersSetTimeout } from 'node:timers'
import { setTimeout as sleepPromise } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { Redis } from 'ioredis'
import { runOnce } from '../../sim/user/run.ts'
import { VIRTUAL_EPOCH } from '../../sim/user/virtual-time.ts'
import { searchStrategy } from '../../sim/user/strategy.ts'

describe('virtual time', () => {
  it('moves Date, sleeps and the server clock together, and puts the real timers back afterwards', async () => {
    const seen: Record<string, unknown> = {}
    const realSetTimeout = globalThis.setTimeout
    const run = await runOnce(
      {
        clients: 1,
        clientLibrary: 'ioredis',
        maxSteps: 5000,
        client: async (redis: Redis, ctx) => {
          seen.dateAtStart = Date.now()
          await redis.set('lease', 'mine', 'PX', 1000)
          await ctx.sleep(10_000)
          seen.slept = ctx.now()
          seen.dateAfter = Date.now()
          seen.lease = await redis.get('lease')
          const [seconds] = await redis.time()
          seen.serverSeconds = Number(seconds)
        },
      },
      1,
      searchStrategy(1),
    )
    expect(run.failure).toBeNull()
    expect(seen.dateAtStart).toBe(VIRTUAL_EPOCH)
    expect(seen.slept).toBeGreaterThanOrEqual(10_000)
    expect(seen.dateAfter).toBe(VIRTUAL_EPOCH + (seen.slept as number))
    // The key's TTL ran out on the same clock the client slept on.
    expect(seen.lease).toBeNull()
    expect(seen.serverSeconds).toBe(Math.floor((VIRTUAL_EPOCH + (seen.slept as number)) / 1000))
    expect(globalThis.setTimeout).toBe(realSetTimeout)
    expect(Date.now()).toBeGreaterThan(VIRTUAL_EPOCH + 365 * 24 * 3600 * 1000)
  })

  it('reaches code that imports node:timers and node:timers/promises as ES modules', async () => {
    const woke: number[] = []
    const run = await runOnce(
      {
        clients: 1,
        clientLibrary: 'native',
        maxSteps: 100,
        client: async (_redis: unknown, ctx) => {
          await new Promise((resolve) => timersSetTimeout(resolve, 60_000))
          woke.push(ctx.now())
          await sleepPromise(60_000)
          woke.push(ctx.now())
        },
      },
      1,
      searchStrategy(1),
    )
    expect(run.failure).toBeNull()
    expect(woke).toEqual([60_000, 120_000])
  })

  it('seeds Math.random for the run and restores it', async () => {
    const draws: number[][] = []
    const realRandom = Math.random
    for (let i = 0; i < 2; i++) {
      const mine: number[] = []
      await runOnce(
        {
          clients: 1,
          clientLibrary: 'native',
          maxSteps: 100,
          client: async () => {
            mine.push(Math.random(), Math.random())
          },
        },
        7,
        searchStrategy(7),
      )
      draws.push(mine)
    }
    expect(draws[1]).toEqual(draws[0])
    expect(Math.random).toBe(realRandom)
  })
})
