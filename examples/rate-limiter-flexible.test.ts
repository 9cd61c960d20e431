/**
 * A library nobody here wrote, used unchanged: rate-limiter-flexible's RateLimiterRedis on ioredis (its own Lua
 * script, registered with defineCommand). Three clients try to consume twelve points of a five-point window, all at
 * one virtual instant, so exactly five must be admitted.
 * - Without faults it admits exactly five on every seed: never more than the limit, and nothing refused while
 *   points remained.
 * - With a connection reset it still never admits more than five, but it can admit fewer: the reset loses the reply
 *   of a consume the server already counted, ioredis resends it, and that point is charged twice.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { describe, expect, it } from 'vitest'
import { simulate } from '../sim/index.ts'

const POINTS = 5
let admitted = 0

const scenario = {
  name: 'rate-limiter-flexible',
  clients: 3,
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-example-')),
  setup: async () => {
    admitted = 0
  },
  client: async (redis: Redis) => {
    const limiter = new RateLimiterRedis({ storeClient: redis, points: POINTS, duration: 10, keyPrefix: 'rl' })
    for (let i = 0; i < 4; i++) {
      try {
        await limiter.consume('user')
        admitted++
      } catch (refusal) {
        // A refusal resolves to a RateLimiterRes; anything else is an error of the limiter or the connection.
        if (!(refusal instanceof RateLimiterRes)) throw refusal
      }
    }
  },
}

describe("rate-limiter-flexible's Redis limiter, unchanged, on ioredis", () => {
  it('admits exactly its points in one window over 50 seeds', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 50,
      check: () => {
        if (admitted !== POINTS) throw new Error(`admitted ${admitted} of ${POINTS} points`)
      },
    })
    expect(result).toEqual({ ok: true, runs: 50 })
  })

  it('under a connection reset never admits more than its points over 50 seeds', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 50,
      faults: { disconnects: 1 },
      check: () => {
        if (admitted > POINTS) throw new Error(`admitted ${admitted} of ${POINTS} points`)
      },
    })
    expect(result).toEqual({ ok: true, runs: 50 })
  })

  it('under a connection reset can charge a point twice (ioredis resends a consume whose reply was lost)', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 100,
      faults: { disconnects: 1 },
      check: () => {
        if (admitted !== POINTS) throw new Error(`admitted ${admitted} of ${POINTS} points`)
      },
    })
    expect(result.ok).toBe(false)
    expect(result.failure?.message).toMatch(/admitted [0-4] of 5 points/)
  })
})
