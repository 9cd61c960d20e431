/**
 * An invariant runs after every scheduling step with a read-only view of the server: a transfer made of two separate
 * commands is caught between them (the money is briefly nowhere), a transfer in MULTI/EXEC never is, and an
 * invariant that tries to write is refused rather than allowed to change the run.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { NativeClient } from '../../sim/user/native-client.ts'
import type { ServerView } from '../../sim/user/server-view.ts'
import { simulate } from '../../sim/user/simulate.ts'

const bank = {
  clientLibrary: 'native' as const,
  clients: 2,
  runs: 20,
  name: 'invariant-test',
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
  setup: async (redis: NativeClient) => {
    await redis.call('MSET', 'a', '100', 'b', '0')
  },
  invariant: (server: ServerView) => {
    const [a, b] = server.call('MGET', 'a', 'b') as string[]
    if (Number(a) + Number(b) !== 100) throw new Error(`a + b = ${Number(a) + Number(b)}`)
  },
}

describe('invariants after every step', () => {
  it('catch a transfer between its two commands', async () => {
    const result = await simulate({
      ...bank,
      client: async (redis: NativeClient) => {
        await redis.call('DECRBY', 'a', '10')
        await redis.call('INCRBY', 'b', '10')
      },
    })
    expect(result.ok).toBe(false)
    expect(result.failure?.kind).toBe('invariant')
    expect(result.failure?.message).toContain('a + b = 90')
  })

  it('hold for a transfer in MULTI/EXEC', async () => {
    const result = await simulate({
      ...bank,
      client: async (redis: NativeClient) => {
        await redis.multi([
          ['DECRBY', 'a', '10'],
          ['INCRBY', 'b', '10'],
        ])
      },
    })
    expect(result).toEqual({ ok: true, runs: 20 })
  })

  it('may not write', async () => {
    const result = await simulate({
      ...bank,
      runs: 1,
      shrink: false,
      invariant: (server: ServerView) => {
        server.call('SET', 'a', '100')
      },
      client: async (redis: NativeClient) => {
        await redis.call('PING')
      },
    })
    expect(result.failure?.message).toContain('an invariant may only read: set is not a read-only command')
  })
})
