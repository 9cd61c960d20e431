/**
 * Optimistic concurrency with WATCH/MULTI/EXEC: read under WATCH, compute, write in a transaction, and start again
 * when EXEC answers null (another client changed the key). The correct loop re-reads on every attempt and never loses
 * an increment. The broken one retries the transaction with the value it read the first time: its second EXEC runs
 * without a WATCH (EXEC always unwatches) and writes a stale value.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { simulate } from '../sim/index.ts'

const scenario = {
  name: 'watch-retry',
  clients: 3,
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-example-')),
  setup: async (redis: Redis) => {
    await redis.set('balance', '0')
  },
  check: async (redis: Redis, ctx: { clients: number }) => {
    const balance = await redis.get('balance')
    if (balance !== String(ctx.clients))
      throw new Error(`lost update: balance = ${balance} after ${ctx.clients} deposits`)
  },
}

describe('a WATCH/MULTI retry loop', () => {
  it('that re-reads on every attempt passes 200 seeds', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 200,
      client: async (redis: Redis) => {
        for (;;) {
          await redis.watch('balance')
          const balance = Number(await redis.get('balance'))
          const committed = await redis
            .multi()
            .set('balance', String(balance + 1))
            .exec()
          if (committed !== null) return
        }
      },
    })
    expect(result).toEqual({ ok: true, runs: 200 })
  })

  it('that retries with the value it read first is found', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 200,
      client: async (redis: Redis) => {
        await redis.watch('balance')
        const balance = Number(await redis.get('balance'))
        for (;;) {
          const committed = await redis
            .multi()
            .set('balance', String(balance + 1))
            .exec()
          if (committed !== null) return
        }
      },
    })
    expect(result.ok).toBe(false)
    expect(result.failure?.kind).toBe('check')
    expect(result.failure?.message).toMatch(/lost update: balance = [12] after/)
    expect(result.failure?.clients).toBe(2)
  })
})
