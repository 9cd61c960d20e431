/**
 * Same seed, same run, or a failure that says so: with `checkDeterminism` every seed runs twice and the trace hashes
 * must agree. Code that carries state from one run into the next (here a module-level counter) sends other bytes the
 * second time and is reported as nondeterministic; the same code without it passes. Runs cannot overlap, since they
 * replace the process's timers.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { NativeClient } from '../../sim/user/native-client.ts'
import { simulate } from '../../sim/user/simulate.ts'

const base = {
  clientLibrary: 'native' as const,
  clients: 2,
  runs: 5,
  checkDeterminism: true,
  name: 'determinism-test',
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
}

describe('determinism', () => {
  it('state carried between runs is caught by running each seed twice', async () => {
    let calls = 0
    const result = await simulate({
      ...base,
      client: async (redis: NativeClient) => {
        calls++
        await redis.call('SET', 'last', String(calls))
      },
    })
    expect(result.ok).toBe(false)
    expect(result.runs).toBe(1)
    expect(result.failure?.kind).toBe('nondeterminism')
    expect(result.failure?.message).toContain('seed 1 gave two different runs')
  })

  it('code that depends only on the run passes', async () => {
    const result = await simulate({
      ...base,
      client: async (redis: NativeClient, ctx) => {
        await redis.call('SET', `last:${ctx.client}`, String(Date.now() + ctx.random()))
      },
    })
    expect(result).toEqual({ ok: true, runs: 5 })
  })

  it('two simulations at once are refused', async () => {
    const one = simulate({ ...base, client: async (redis: NativeClient) => redis.call('PING') })
    await expect(simulate({ ...base, client: async () => {} })).rejects.toThrow('one at a time')
    expect((await one).ok).toBe(true)
  })
})
