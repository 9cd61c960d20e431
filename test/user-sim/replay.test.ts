/**
 * A report replays: the same code with `replay` gives the same trace hash and the same failure; changed code gives
 * another hash and says so; fixed code passes the replay.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { simulate } from '../../sim/user/simulate.ts'
import type { NativeClient } from '../../sim/user/native-client.ts'

const base = {
  clientLibrary: 'native' as const,
  clients: 3,
  name: 'replay-test',
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
  check: async (redis: NativeClient, ctx: { clients: number }) => {
    const n = await redis.call('GET', 'n')
    if (n !== String(ctx.clients)) throw new Error(`lost update: n = ${n}`)
  },
}

async function racy(redis: NativeClient): Promise<void> {
  const v = Number(await redis.call('GET', 'n'))
  await redis.call('SET', 'n', String(v + 1))
}

describe('replaying a report', () => {
  it('reproduces the trace hash; changed code differs; fixed code passes', async () => {
    const found = await simulate({ ...base, runs: 30, client: racy })
    expect(found.ok).toBe(false)
    const failure = found.failure!
    expect(failure.message).toContain(failure.report)

    const same = await simulate({ ...base, client: racy, replay: failure.report })
    expect(same.replayed?.matches).toBe(true)
    expect(same.failure?.message).toContain('lost update')

    const changed = await simulate({
      ...base,
      client: async (redis: NativeClient) => {
        await redis.call('PING')
        await racy(redis)
      },
      replay: failure.report,
    })
    expect(changed.replayed?.matches).toBe(false)

    const fixed = await simulate({
      ...base,
      client: async (redis: NativeClient) => {
        await redis.call('INCR', 'n')
      },
      replay: failure.report,
    })
    expect(fixed.ok).toBe(true)
    expect(fixed.replayed?.matches).toBe(false)
  })

  it('drops faults the failure does not need, and the report replays without them', async () => {
    const faults = { disconnects: 1, stalls: 1 }
    const found = await simulate({ ...base, name: 'replay-faults', runs: 30, faults, client: racy })
    const failure = found.failure!
    const report = JSON.parse(readFileSync(failure.report, 'utf8'))
    expect(report.faults).toEqual({ disconnects: 0, stalls: 0, stallMs: 2000 })
    expect(report.trace.some((step: { kind: string }) => step.kind === 'disconnect' || step.kind === 'stall')).toBe(
      false,
    )
    const same = await simulate({ ...base, faults, client: racy, replay: failure.report })
    expect(same.replayed?.matches).toBe(true)
  })
})
