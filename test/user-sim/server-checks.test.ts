/**
 * The built-in checks on a user simulation: a long script (many slices of its instruction count) run by one client
 * while another writes its key. On the correct executor the script holds the lock throughout, the other client's SET
 * waits or gets BUSY, and every run passes; on the per-call-lock mutant (each redis.call takes and releases the lock
 * itself) the SET lands between two of the script's accesses, and the atomicity check names it, with the clients as
 * the report's lanes name them.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { NativeClient } from '../../sim/user/native-client.ts'
import { type RunOptions, runOnce } from '../../sim/user/run.ts'
import { searchStrategy } from '../../sim/user/strategy.ts'
import { simulate } from '../../sim/user/simulate.ts'
import { variantNamed } from '../../sim/mutants.ts'

// Reads the key, spins through several slices of 1,000 instructions, then writes what it read plus one.
const SLOW_INCREMENT = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
local i = 0
while i < 3000 do i = i + 1 end
return redis.call('SET', KEYS[1], tostring(v + 1))`

const options: RunOptions<NativeClient> = {
  clients: 2,
  clientLibrary: 'native',
  maxSteps: 20_000,
  serverConfig: { 'lua-slice-instructions': '1000' },
  client: async (redis: NativeClient, ctx) => {
    if (ctx.client === 1) await redis.call('EVAL', SLOW_INCREMENT, '1', 'n')
    else await redis.call('SET', 'n', '10')
  },
}

describe('built-in checks on user runs', () => {
  it('find a script interleaved with another client on the per-call-lock mutant, and name the clients', async () => {
    const mutant = { ...options, variant: variantNamed('per-call-lock') }
    let found = null
    for (let seed = 1; seed <= 50 && !found; seed++) {
      const run = await runOnce(mutant, seed, searchStrategy(seed))
      if (run.failure) found = run
    }
    expect(found?.failure?.kind).toBe('interleaved-access')
    expect(found?.failure?.message).toMatch(
      /^script [0-9a-f]{12} of client 1 was interleaved: SET n \(write\) of client 2 ran between its accesses/,
    )
    expect(found?.trace.some((step) => step.kind === 'slice')).toBe(true)
  })

  it('hold on the correct executor over 100 seeds, with other clients let in while the script runs', async () => {
    let sentDuringScript = 0
    for (let seed = 1; seed <= 100; seed++) {
      const run = await runOnce(options, seed, searchStrategy(seed))
      expect(run.failure).toBeNull()
      // The SET arrived at the server between two slices of the script in some runs: the check had something to see.
      const firstSlice = run.trace.findIndex((s) => s.kind === 'slice')
      const lastSlice = run.trace.map((s) => s.kind).lastIndexOf('slice')
      if (run.trace.some((s, i) => i > firstSlice && i < lastSlice && s.commands?.some((c) => c[0] === 'SET'))) {
        sentDuringScript++
      }
    }
    expect(sentDuringScript).toBeGreaterThan(10)
  })

  it('let two slow increments through simulate without losing one (50 seeds)', async () => {
    const result = await simulate({
      ...options,
      runs: 50,
      name: 'server-checks',
      reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
      replay: false,
      client: async (redis: NativeClient, ctx) => {
        await redis.call('EVAL', SLOW_INCREMENT, '1', 'n')
        if (ctx.client === 2) await redis.call('GET', 'n')
      },
      check: async (redis: NativeClient) => (await redis.call('GET', 'n')) === '2',
    })
    expect(result).toEqual({ ok: true, runs: 50 })
  })
})
