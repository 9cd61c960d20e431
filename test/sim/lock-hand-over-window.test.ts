import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, runSeed } from '../../sim/run.ts'
import { cmd, run, scenario } from './helpers.ts'

const sites = (trace: Array<{ actor: number; site: string }>) => trace.map((t) => `${t.actor}:${t.site}`)

describe('the window between a lock release and the woken waiter resuming', () => {
  it('is a scheduling point: a newcomer can arrive in it, and must queue behind the waiter the lock is reserved for', async () => {
    const sc = scenario([[cmd('SET', 'a', '1')], [cmd('SET', 'b', '2')], [cmd('SET', 'c', '3')]])
    // Client 1 takes the lock; client 2 queues for it; once client 1 released it (client 2 parked at 'lock-handed'),
    // client 3 arrives and goes on.
    const e = await run(sc, { tape: [0, 1, 1, 0, 2, 2] })
    expect(e.violations).toEqual([])
    const trace = sites(e.trace!)
    expect(trace.slice(0, 8)).toEqual([
      '1:arrive',
      '2:arrive',
      '2:lock-wait',
      '1:lock-acquired',
      '3:arrive',
      '3:lock-wait',
      '1:reply',
      '2:lock-handed',
    ])
    // The newcomer got the lock only after the waiter it found in the window.
    const serial = e.recorder.serialOrder.flatMap((entry) => ('timer' in entry ? [] : [entry.client]))
    expect(serial).toEqual([1, 2, 3])
  })

  it('a disconnect inside the window drops the handed-over command and frees the lock', async () => {
    const sc = scenario([[cmd('SET', 'a', '1')], [cmd('SET', 'b', '2')], [cmd('SET', 'c', '3')]], {
      // Client 2's parks: arrive, lock-wait, then lock-handed: its connection closes there.
      faults: { disconnects: [{ client: 1, atPark: 3 }] },
    })
    const e = await run(sc, { tape: [0, 1, 1] })
    expect(e.outcome.kind).toBe('done')
    expect(e.violations).toEqual([])
    const trace = sites(e.trace!)
    expect(trace[trace.indexOf('2:lock-handed') + 1]).toBe('2:fault')
    const db = e.engine.keyspace.db(0)
    expect([db.has('a'), db.has('b'), db.has('c')]).toEqual([true, false, true])
    expect(e.engine.lock.holder).toBeNull()
  })

  it('a lock whose fast path ignores the hand-over in flight is caught by the swarm; the correct one passes', async () => {
    let caught = 0
    for (let seed = 1; seed <= 8; seed++) {
      const config = { ...DEFAULT_CONFIG, seed, strategy: 'random' as const }
      const bad = await runSeed({ ...config, mutant: 'handoff-overtaken' })
      const good = await runSeed(config)
      expect(good.verdict, good.violations[0]?.message).toBe('pass')
      if (bad.violations.some((v) => v.kind === 'interleaved-writes' || v.kind === 'witness-mismatch')) caught++
    }
    expect(caught).toBeGreaterThan(0)
  }, 120_000)
})
