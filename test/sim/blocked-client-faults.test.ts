import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, runSeed } from '../../sim/run.ts'
import { cmd, run, scenario } from './helpers.ts'

const sites = (trace: Array<{ actor: number; site: string; detail?: string }>) =>
  trace.map((t) => `${t.actor}:${t.site}${t.site === 'fault' ? ` ${t.detail}` : ''}`)

describe('faults on clients that cannot run', () => {
  it('a client blocked on a key can be disconnected while it waits: it leaves the queue, the element stays', async () => {
    const sc = scenario([[cmd('BLPOP', 'q', '0')], [cmd('RPUSH', 'q', 'a')]], {
      faults: { disconnects: [{ client: 0, atPark: 99 }] },
    })
    // Client 1 blocks; at the next decision, its disconnect (after client 2, the second choice) is chosen.
    const e = await run(sc, { tape: [0, 0, 1] })
    expect(e.outcome.kind).toBe('done')
    expect(e.violations).toEqual([])
    expect(sites(e.trace!).slice(0, 3)).toEqual(['1:arrive', '1:lock-acquired', '1:fault disconnect'])
    expect(e.recorder.history.find((op) => op.client === 1)!.return).toBeNull()
    expect(e.engine.keyspace.db(0).has('q')).toBe(true)
    expect(e.engine.blocking.blockedClients).toBe(0)
  })

  it('CLIENT UNBLOCK ... ERROR ends the wait with the UNBLOCKED error; TIMEOUT with a nil reply', async () => {
    for (const [how, reply] of [
      ['error', { error: 'UNBLOCKED client unblocked via CLIENT UNBLOCK' }],
      ['timeout', null],
    ] as const) {
      const sc = scenario([[cmd('BLPOP', 'q', '0')], [cmd('LLEN', 'q')]], {
        faults: { disconnects: [{ client: 0, atPark: 0, unblock: how }] },
      })
      const e = await run(sc, { tape: [0, 0, 1] })
      expect(e.outcome.kind).toBe('done')
      expect(e.violations).toEqual([])
      expect(sites(e.trace!)[2]).toBe(`1:fault unblock ${how}`)
      expect(e.recorder.history.find((op) => op.client === 1)!.output).toEqual(reply)
    }
  })

  it('a client queued for the lock can be disconnected while it waits: its command is dropped once the lock comes', async () => {
    const multi = {
      kind: 'multi' as const,
      commands: [
        ['SET', 'a', '1'],
        ['SET', 'b', '1'],
      ],
    }
    const sc = scenario([[multi], [cmd('SET', 'b', '2')]], { faults: { disconnects: [{ client: 1, atPark: 99 }] } })
    // Client 1 runs to its EXEC holding the lock; client 2 arrives and queues; then its disconnect is chosen.
    const e = await run(sc, { tape: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1] })
    expect(e.outcome.kind).toBe('done')
    expect(e.violations).toEqual([])
    const trace = sites(e.trace!)
    expect(trace.slice(9, 12)).toEqual(['2:arrive', '2:lock-wait', '2:fault disconnect'])
    expect(e.engine.keyspace.db(0).get('b')?.toString()).toBe('1')
    expect(e.recorder.history.find((op) => op.client === 2)!.return).toBeNull()
  })

  it('a push that serves a client which already left pops an element for nobody: the queue workload catches it', async () => {
    let caught = 0
    for (let seed = 1; seed <= 12; seed++) {
      const config = { ...DEFAULT_CONFIG, seed, workload: 'queue', strategy: 'random' as const }
      const bad = await runSeed({ ...config, mutant: 'serve-left-waiter' })
      const good = await runSeed(config)
      expect(good.verdict, good.violations[0]?.message).toBe('pass')
      if (bad.violations.some((v) => v.kind === 'queue')) caught++
    }
    expect(caught).toBeGreaterThan(0)
  }, 120_000)
})
