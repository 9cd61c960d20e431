/**
 * A lock as a lease: SET lock <token> NX PX 1000, retried every 100 ms. Client 1 stalls inside its critical section
 * for 1.5 virtual seconds (a GC pause, a slow call), so its lease expires under it and another client takes the lock.
 * When client 1 wakes and releases with a plain DEL, it deletes that other client's lock, and a third client gets in
 * while the second's lease is still running. Releasing with a script that deletes only the caller's own token keeps
 * the lease safe: at any instant at most one client holds a lock whose lease has not run out.
 *
 * Every client keeps its lease in a map shared by the clients of one run (they run in one process): a client that
 * acquires the lock while another's lease is still valid has found the violation. Lease ends are measured from
 * before the SET was sent, on the virtual clock, so they never outlast the key on the server.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { type SimulationContext, simulate } from '../sim/index.ts'

const TTL = 1000
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

/** Client -> end of its lease (virtual ms since the epoch). */
const leases = new Map<number, number>()

function lockingClient(release: (redis: Redis, token: string) => Promise<unknown>) {
  return async (redis: Redis, ctx: SimulationContext) => {
    const token = `client-${ctx.client}`
    for (;;) {
      const start = Date.now()
      if ((await redis.set('lock', token, 'PX', TTL, 'NX')) === 'OK') {
        for (const [other, end] of leases) {
          if (other !== ctx.client && Date.now() < end) {
            throw new Error(`client ${ctx.client} acquired the lock while client ${other}'s lease still ran`)
          }
        }
        leases.set(ctx.client, start + TTL)
        break
      }
      await ctx.sleep(100)
    }
    // The critical section: client 1 stalls past its lease; the others finish well within theirs.
    await ctx.sleep(ctx.client === 1 ? 1500 : 700)
    leases.delete(ctx.client)
    await release(redis, token)
  }
}

const scenario = {
  name: 'lock-release',
  clients: 3,
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-example-')),
  setup: async () => {
    leases.clear()
  },
}

describe('a SET NX PX lock with a stalled client', () => {
  it('released with a plain DEL lets a third client in while a lease still runs', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 100,
      client: lockingClient((redis) => redis.del('lock')),
    })
    expect(result.ok).toBe(false)
    expect(result.failure?.kind).toBe('client-error')
    expect(result.failure?.message).toMatch(/acquired the lock while client \d's lease still ran/)
    expect(result.failure?.clients).toBe(3)
  })

  it('released by a script that checks the owner keeps one lease at a time over 100 seeds', async () => {
    const result = await simulate({
      ...scenario,
      seed: 1,
      runs: 100,
      client: lockingClient((redis, token) => redis.eval(RELEASE_IF_OWNER, 1, 'lock', token)),
    })
    expect(result).toEqual({ ok: true, runs: 100 })
  })
})
