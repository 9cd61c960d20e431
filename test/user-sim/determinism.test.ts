/**
 * Same seed, same run, or a failure that says so: with `checkDeterminism` every seed runs twice and the trace hashes
 * must agree. Code that carries state from one run into the next (here a module-level counter) sends other bytes the
 * second time and is reported as nondeterministic; the same code without it passes. Runs cannot overlap, since they
 * replace the process's timers.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto'
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

  it('node:crypto randomness (tokens, UUIDs) is seeded during a run, and real again after it', async () => {
    const sent: string[] = []
    const client = async (redis: NativeClient, ctx: { client: number }) => {
      const token = `${randomBytes(8).toString('hex')}/${randomUUID()}/${randomInt(1000)}/${globalThis.crypto.randomUUID()}`
      if (ctx.client === 1) sent.push(token)
      await redis.call('SET', `token:${ctx.client}`, token)
    }
    const result = await simulate({ ...base, runs: 3, client })
    expect(result).toEqual({ ok: true, runs: 3 })
    // Each seed runs twice with the same draws, and different seeds draw differently.
    expect(sent).toHaveLength(6)
    expect(sent[0]).toBe(sent[1])
    expect(sent[2]).toBe(sent[3])
    expect(sent[0]).not.toBe(sent[2])
    expect(sent[0]).toMatch(/^[0-9a-f]{16}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\/\d+\//)
    expect(randomBytes(8).toString('hex')).not.toBe(randomBytes(8).toString('hex'))
  })

  it('two simulations at once are refused', async () => {
    const one = simulate({ ...base, client: async (redis: NativeClient) => redis.call('PING') })
    await expect(simulate({ ...base, client: async () => {} })).rejects.toThrow('one at a time')
    expect((await one).ok).toBe(true)
  })
})
