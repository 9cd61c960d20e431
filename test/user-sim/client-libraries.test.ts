/**
 * The three client libraries a simulation can hand to user code (ioredis, node-redis, the built-in one) all reach
 * the real server over the simulated network: the same read-add-write race is found with each, and a seed run twice
 * gives the same trace hash, including the libraries' own handshakes and timers.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ClientLibrary } from '../../sim/user/client-libraries.ts'
import { runOnce } from '../../sim/user/run.ts'
import { searchStrategy } from '../../sim/user/strategy.ts'
import { simulate } from '../../sim/user/simulate.ts'

type AnyClient = any

function counter(library: ClientLibrary) {
  const get = (redis: AnyClient, key: string) => (library === 'native' ? redis.call('GET', key) : redis.get(key))
  const set = (redis: AnyClient, key: string, value: string) =>
    library === 'native' ? redis.call('SET', key, value) : redis.set(key, value)
  return {
    clientLibrary: library,
    clients: 2,
    maxSteps: 5000,
    setup: async (redis: AnyClient) => {
      await set(redis, 'n', '0')
    },
    client: async (redis: AnyClient) => {
      const v = Number(await get(redis, 'n'))
      await set(redis, 'n', String(v + 1))
    },
    check: async (redis: AnyClient) => {
      const n = await get(redis, 'n')
      if (n !== '2') throw new Error(`lost update: n = ${n}`)
    },
  }
}

describe.each(['ioredis', 'node-redis', 'native'] as const)('%s under the simulator', (library) => {
  it('finds the lost update', async () => {
    const result = await simulate({
      ...counter(library),
      name: `libraries-${library}`,
      runs: 40,
      shrink: false,
      reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
    })
    expect(result.ok).toBe(false)
    expect(result.failure?.message).toContain('lost update: n = 1')
  })

  it('gives one trace hash per seed, and different seeds different runs', async () => {
    const hashes = new Set<string>()
    for (const seed of [1, 2, 3]) {
      const first = await runOnce(counter(library), seed, searchStrategy(seed))
      const second = await runOnce(counter(library), seed, searchStrategy(seed))
      expect(second.traceHash).toBe(first.traceHash)
      expect(second.trace).toEqual(first.trace)
      hashes.add(first.traceHash)
    }
    expect(hashes.size).toBeGreaterThan(1)
  })
})
