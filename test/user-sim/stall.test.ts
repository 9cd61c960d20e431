/**
 * The stall fault: a client that stalls (nothing it sends leaves, nothing reaches it) while virtual time goes on, so a
 * key's TTL runs out between two of its commands. Found with the fault, never without it; the report shows the stall,
 * shrinking keeps it (the failure needs it) and the report replays to the same trace hash.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { NativeClient } from '../../sim/user/native-client.ts'
import { simulate } from '../../sim/user/simulate.ts'

const base = {
  clientLibrary: 'native' as const,
  clients: 2,
  name: 'stall-test',
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
  replay: false as const,
  // Each client sets its key with a 1 s TTL and reads it back at once: only a stall can make the read come too late.
  client: async (redis: NativeClient, ctx: { client: number; now(): number }) => {
    const key = `k${ctx.client}`
    await redis.call('SET', key, 'v', 'PX', '1000')
    const start = ctx.now()
    const value = await redis.call('GET', key)
    if (value === null) throw new Error(`client ${ctx.client}: ${key} expired under it (${ctx.now() - start} ms later)`)
  },
}

describe('the stall fault', () => {
  it('lets a TTL run out between two commands of a client; the report shows and replays it', async () => {
    const found = await simulate({ ...base, runs: 100, faults: { stalls: 1, stallMs: 1500 } })
    expect(found.ok).toBe(false)
    const failure = found.failure!
    expect(failure.kind).toBe('client-error')
    expect(failure.message).toMatch(/expired under it \((1[5-9]\d\d|[2-9]\d\d\d) ms later\)/)
    expect(failure.message).toContain('up to 1 stalls of 1500 ms')
    const report = JSON.parse(readFileSync(failure.report, 'utf8'))
    expect(report.faults).toEqual({ disconnects: 0, stalls: 1, stallMs: 1500 })
    const stall = report.trace.find((s: { kind: string }) => s.kind === 'stall')
    expect(stall.text).toMatch(/^client [12] stalls for 1500 ms$/)
    expect(readFileSync(failure.report.replace(/\.json$/, '.html'), 'utf8')).toContain('stalls for 1500 ms (fault)')
    const again = await simulate({ ...base, replay: failure.report })
    expect(again.replayed?.matches).toBe(true)
  })

  it('one stall shorter than the TTL, or none, never loses the key (two in a row can: 2 x 900 ms)', async () => {
    expect(await simulate({ ...base, runs: 100, faults: { stalls: 1, stallMs: 900 } })).toEqual({ ok: true, runs: 100 })
    expect(await simulate({ ...base, runs: 100 })).toEqual({ ok: true, runs: 100 })
  })
})
