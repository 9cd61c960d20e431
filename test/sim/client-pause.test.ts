import { describe, expect, it } from 'vitest'
import { RandomWalk } from '../../sim/strategies/random.ts'
import { cmd, run, scenario } from './helpers.ts'

describe('CLIENT PAUSE under the simulator', () => {
  it('a write held back by a pause waits as a scheduled actor and takes the lock only once the pause ends', async () => {
    let heldBack = 0
    for (let seed = 1; seed <= 30; seed++) {
      const sc = scenario(
        [
          [cmd('CLIENT', 'PAUSE', '30', 'WRITE'), cmd('GET', 'k')],
          [cmd('SET', 'k', '1'), cmd('GET', 'k')],
          [cmd('GET', 'k'), cmd('INCR', 'n')],
        ],
        { seed, timer: { events: 2, stepMs: 10 } },
      )
      const e = await run(sc, { strategy: new RandomWalk(seed) })
      expect(e.outcome.kind).toBe('done')
      expect(e.violations, e.violations[0]?.message).toEqual([])
      const pause = e.recorder.calls.find((c) => c.argv[0] === 'CLIENT')!
      for (const write of e.recorder.calls.filter((c) => c.argv[0] === 'SET' || c.argv[0] === 'INCR')) {
        if (write.serial < pause.serial) continue
        // Every write after the pause ran at its end or later; reads did not wait.
        expect(write.time).toBeGreaterThanOrEqual(pause.time + 30)
        heldBack++
      }
    }
    expect(heldBack).toBeGreaterThan(0)
  })

  it('a client disconnected while held back is dropped, and the others go on when the pause ends', async () => {
    const sc = scenario([[cmd('CLIENT', 'PAUSE', '30', 'ALL')], [cmd('SET', 'k', '1')], [cmd('SET', 'j', '1')]], {
      // Client 2's parks: arrive, then (postponed) nothing until the pause ends; its disconnect is a choice meanwhile.
      faults: { disconnects: [{ client: 1, atPark: 2 }] },
    })
    for (let seed = 1; seed <= 20; seed++) {
      const e = await run({ ...sc, seed }, { strategy: new RandomWalk(seed) })
      expect(e.outcome.kind).toBe('done')
      expect(e.violations, e.violations[0]?.message).toEqual([])
      const db = e.engine.keyspace.db(0)
      expect(db.has('j')).toBe(true)
      expect(e.engine.clientPause.postponedCount).toBe(0)
    }
  })
})
