/**
 * The short version of `npm run stress` (bench/stress.ts at a tenth of its load): many connections, clients that flood
 * pipelines and never read, clients that ask for big replies and never read, and a maxmemory limit filled under every
 * eviction policy, against redsim's own process, while a probe client PINGs every 50 ms. The server must answer every
 * probe, stay alive, answer every connection, refuse writes under noeviction and evict under every other policy.
 */
import { describe, expect, it } from 'vitest'
import { runStress } from '../../bench/stress.ts'

describe('stress, short version', () => {
  it('the server answers throughout and survives, and maxmemory holds under every policy', async () => {
    const result = await runStress({ scale: 0.1 })
    expect(result.alive).toBe(true)
    expect(result.probes).toBeGreaterThan(10)
    expect(result.probesFailed).toBe(0)
    expect(result.connections.answered).toBe(result.connections.opened)
    expect(result.phases.every((p) => p.errors === 0)).toBe(true)
    const byPolicy = new Map(result.maxmemory.map((m) => [m.policy, m]))
    expect(byPolicy.get('noeviction')!.oom).toBeGreaterThan(0)
    for (const [policy, m] of byPolicy) {
      if (policy === 'noeviction') continue
      expect(m.evicted, policy).toBeGreaterThan(0)
    }
  }, 120_000)
})
