/**
 * A run whose user code waits for something the simulation does not control (a promise nobody resolves, real I/O)
 * cannot be driven: with nothing in flight and no timer pending it is reported as stuck, naming the phase, instead
 * of hanging the test. A run that never ends on its own hits the step budget.
 */
import { describe, expect, it } from 'vitest'
import type { NativeClient } from '../../sim/user/native-client.ts'
import { runOnce } from '../../sim/user/run.ts'
import { searchStrategy } from '../../sim/user/strategy.ts'

describe('runs that cannot finish', () => {
  it('a client awaiting a promise nobody resolves is stuck', async () => {
    const run = await runOnce(
      {
        clients: 2,
        clientLibrary: 'native',
        maxSteps: 1000,
        client: async (redis: NativeClient, ctx) => {
          await redis.call('INCR', 'n')
          if (ctx.client === 2) await new Promise(() => {})
        },
      },
      1,
      searchStrategy(1),
    )
    expect(run.failure?.kind).toBe('stuck')
    expect(run.failure?.message).toContain('clients: nothing in flight and no timer pending')
  })

  it('a client polling forever runs out of steps', async () => {
    const run = await runOnce(
      {
        clients: 1,
        clientLibrary: 'native',
        maxSteps: 300,
        client: async (redis: NativeClient, ctx) => {
          for (;;) {
            if ((await redis.call('GET', 'never')) !== null) return
            await ctx.sleep(50)
          }
        },
      },
      1,
      searchStrategy(1),
    )
    expect(run.failure).toEqual({ kind: 'step-limit', message: 'clients: not finished after 300 scheduling steps' })
    expect(run.steps).toBe(300)
  })
})
