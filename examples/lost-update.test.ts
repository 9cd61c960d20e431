/**
 * The classic client-side lost update: each client reads a counter, adds one in its own code, and writes it back.
 * Two clients that both read before either writes leave the counter one short. The simulation finds it, shrinks it
 * to two clients, and the report replays to the same trace hash. Users import `simulate` from 'redsim/sim'; the
 * examples import the source so that they run without a build.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { simulate } from '../sim/index.ts'

const reportDir = mkdtempSync(join(tmpdir(), 'redsim-example-'))

const counter = {
  name: 'lost-update',
  clients: 3,
  reportDir,
  setup: async (redis: Redis) => {
    await redis.set('n', '0')
  },
  check: async (redis: Redis, ctx: { clients: number }) => {
    const n = await redis.get('n')
    if (n !== String(ctx.clients)) throw new Error(`lost update: n = ${n} after ${ctx.clients} increments`)
  },
}

describe('read, add one, write back', () => {
  it('is found, shrunk to two clients, and replays to the same trace hash', async () => {
    const result = await simulate({
      ...counter,
      seed: 1,
      runs: 50,
      client: async (redis: Redis) => {
        const v = Number(await redis.get('n'))
        await redis.set('n', String(v + 1))
      },
    })
    expect(result.ok).toBe(false)
    const failure = result.failure!
    expect(failure.kind).toBe('check')
    expect(failure.message).toContain('lost update: n = 1 after 2 increments')
    expect(failure.clients).toBe(2)
    expect(failure.shrunkFrom?.clients).toBe(3)
    expect(failure.message).toContain(`replay: '${failure.report}'`)

    // The report names the user's commands as the server received them, per connection.
    const report = JSON.parse(readFileSync(failure.report, 'utf8'))
    const sent = report.trace.filter((s: { kind: string }) => s.kind === 'send')
    const commands = sent.flatMap((s: { commands: string[][] }) => s.commands.map((c) => c.join(' ').toLowerCase()))
    expect(commands).toContain('get n')
    expect(commands).toContain('set n 1')
    expect(Object.values(report.connections)).toEqual(expect.arrayContaining(['client 1', 'client 2', 'check']))

    const again = await simulate({ ...counter, client: counterClient, replay: failure.report })
    expect(again.replayed).toEqual({ expected: failure.traceHash, traceHash: failure.traceHash, matches: true })
    expect(again.ok).toBe(false)
    expect(again.failure?.message).toContain('lost update: n = 1')
  })

  it('INCR has no lost update', async () => {
    const result = await simulate({
      ...counter,
      seed: 1,
      runs: 50,
      client: async (redis: Redis) => {
        await redis.incr('n')
      },
    })
    expect(result).toEqual({ ok: true, runs: 50 })
  })
})

async function counterClient(redis: Redis): Promise<void> {
  const v = Number(await redis.get('n'))
  await redis.set('n', String(v + 1))
}
