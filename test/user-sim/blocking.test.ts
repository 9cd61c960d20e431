/**
 * Blocking commands under a user simulation: the server's blocking timeouts run on the same virtual clock as the
 * clients' sleeps, so a BLPOP is served by a push that comes later in virtual time, and times out after exactly its
 * timeout when nothing comes, without real waiting.
 */
import { describe, expect, it } from 'vitest'
import type { NativeClient } from '../../sim/user/native-client.ts'
import { runOnce, type SimulationContext } from '../../sim/user/run.ts'
import { searchStrategy } from '../../sim/user/strategy.ts'

describe('blocking commands on virtual time', () => {
  it('a BLPOP is served by a later push, or times out on the virtual clock', async () => {
    const seen: Record<number, { reply: unknown; at: number }> = {}
    const run = await runOnce(
      {
        clients: 3,
        clientLibrary: 'native',
        maxSteps: 2000,
        client: async (redis: NativeClient, ctx: SimulationContext) => {
          if (ctx.client === 1) seen[1] = { reply: await redis.call('BLPOP', 'jobs', '5'), at: ctx.now() }
          if (ctx.client === 2) {
            await ctx.sleep(300)
            await redis.call('RPUSH', 'jobs', 'job-1')
          }
          if (ctx.client === 3) seen[3] = { reply: await redis.call('BLPOP', 'nothing', '2'), at: ctx.now() }
        },
      },
      1,
      searchStrategy(1),
    )
    expect(run.failure).toBeNull()
    expect(seen[1].reply).toEqual(['jobs', 'job-1'])
    expect(seen[1].at).toBeGreaterThanOrEqual(300)
    expect(seen[1].at).toBeLessThan(5000)
    expect(seen[3].reply).toBeNull()
    expect(seen[3].at).toBeGreaterThanOrEqual(2000)
  })
})
