/**
 * A fixed-window rate limiter: INCR a counter per user and window, and give the counter a TTL on the first hit so
 * the window ends. Written as two commands (INCR, then EXPIRE when the count is 1), a connection reset between the
 * INCR running on the server and its reply reaching the client is enough to break it: ioredis reconnects and resends
 * the INCR it never got an answer for, the count comes back as 2, EXPIRE is never sent, and the counter lives
 * forever (the user is limited for good once it reaches the limit). Written as one script, the INCR and the EXPIRE
 * happen together or not at all, and a resent script only counts once more.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { type SimulationContext, simulate } from '../sim/index.ts'

const LIMIT = 10
const WINDOW_SECONDS = 60
const INCR_WITH_TTL = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`

type Counter = (redis: Redis, key: string) => Promise<number>

const twoCommands: Counter = async (redis, key) => {
  const n = await redis.incr(key)
  if (n === 1) await redis.expire(key, WINDOW_SECONDS)
  return n
}

const oneScript: Counter = async (redis, key) => Number(await redis.eval(INCR_WITH_TTL, 1, key, WINDOW_SECONDS))

function limiter(count: Counter) {
  return async (redis: Redis, ctx: SimulationContext) => {
    // Each client serves requests of three users; a limiter that cannot reach Redis lets the request through.
    for (const user of ['ann', 'bob', 'cy']) {
      const key = `rate:${user}:${Math.floor(Date.now() / 1000 / WINDOW_SECONDS)}`
      try {
        if ((await count(redis, key)) > LIMIT) throw new Error(`client ${ctx.client}: ${user} limited too early`)
      } catch (err) {
        if ((err as Error).message.includes('limited too early')) throw err
      }
    }
  }
}

const scenario = {
  name: 'rate-limiter',
  clients: 2,
  faults: { disconnects: 1 },
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-example-')),
  check: async (redis: Redis) => {
    for (const key of await redis.keys('rate:*')) {
      if ((await redis.ttl(key)) === -1) throw new Error(`${key} has no TTL: the window never ends`)
    }
  },
}

describe('a fixed-window rate limiter under a connection reset', () => {
  it('with INCR and EXPIRE as two commands leaves a counter without TTL', async () => {
    const result = await simulate({ ...scenario, seed: 1, runs: 150, client: limiter(twoCommands) })
    expect(result.ok).toBe(false)
    expect(result.failure?.kind).toBe('check')
    expect(result.failure?.message).toMatch(/rate:\w+:\d+ has no TTL/)
  })

  it('with one script always gives the counter its TTL over 150 seeds', async () => {
    const result = await simulate({ ...scenario, seed: 1, runs: 150, client: limiter(oneScript) })
    expect(result).toEqual({ ok: true, runs: 150 })
  })
})
