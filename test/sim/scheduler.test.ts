import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine } from '../../src/engine/engine.ts'
import { toArgv } from '../../src/server/local-connection.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { TapeStrategy } from '../../sim/decision-tape.ts'
import { Recorder } from '../../sim/recorder.ts'
import { Scheduler, SimActor } from '../../sim/scheduler.ts'
import { SimSeam } from '../../sim/sim-seam.ts'
import { TraceHash } from '../../sim/trace-hash.ts'
import { cmd, run, scenario } from './helpers.ts'

describe('scheduler', () => {
  it('runs exactly one client at a time, in the order the tape says', async () => {
    const sc = scenario([[cmd('SET', 'k', 'a')], [cmd('SET', 'k', 'b')]])
    // Both park at arrival; the tape picks client 2 first at every choice, so client 1's SET lands last.
    const second = await run(sc, { tape: [1, 1, 1, 1, 1, 1] })
    const first = await run(sc, { tape: [0, 0, 0, 0, 0, 0] })
    expect(second.outcome.kind).toBe('done')
    expect(first.outcome.kind).toBe('done')
    const writer = (e: typeof first) => e.recorder.spans.filter((s) => s.command === 'set').map((s) => s.client)
    expect(writer(first)).toEqual([1, 2])
    expect(writer(second)).toEqual([2, 1])
    expect(second.engine.keyspace.db(0).get('k')).toEqual(Buffer.from('a'))
  })

  it('tells blocked from parked: a client waiting for the lock is not offered a turn', async () => {
    const sc = scenario([[cmd('SET', 'a', '1')], [cmd('SET', 'b', '2')]])
    // Client 1 takes the lock and parks at lock-acquired; client 2 arrives, parks at lock-wait, then blocks.
    const e = await run(sc, { tape: [0, 1, 1] })
    expect(e.outcome.kind).toBe('done')
    const sites = e.trace!.map((t) => `${t.actor}:${t.site}`)
    expect(sites.slice(0, 4)).toEqual(['1:arrive', '2:arrive', '2:lock-wait', '1:lock-acquired'])
    // While client 2 was blocked, every step had exactly one choice (client 1) until the hand-off, where client 2
    // parks at 'lock-handed' before it takes the lease.
    const handoff = sites.indexOf('2:lock-handed')
    expect(sites[handoff + 1]).toBe('2:lock-acquired')
    expect(handoff).toBeGreaterThan(3)
    for (let i = 3; i < handoff; i++) expect(e.trace![i].actor).toBe(1)
  })

  it('detects a deadlock: every unfinished actor blocked on a lock nobody will release', async () => {
    const clock = new ManualClock()
    const hash = new TraceHash()
    const recorder = new Recorder()
    const scheduler = new Scheduler({
      strategy: new TapeStrategy([]),
      maxSteps: 1000,
      hash,
      timer: null,
      onFault: () => {},
      tick: recorder.tick,
      trace: null,
    })
    const engine = new Engine({ clock, seam: new SimSeam(scheduler, recorder, clock), logger: () => {} })
    recorder.engine = engine
    const leaker = new LocalConnection(engine, 'sim')
    const victim = new LocalConnection(engine, 'sim')
    const a = new SimActor(leaker.client.id, 'leaker')
    const b = new SimActor(victim.client.id, 'victim')
    scheduler.add(a)
    scheduler.add(b)
    // The leaker takes the lease through the executor's own acquire path and finishes without releasing it.
    void (async () => {
      await engine.executor.acquire(leaker.client)
      scheduler.finished(a)
    })()
    void (async () => {
      await engine.executor.execute(victim.client, toArgv(['SET', 'k', 'v']))
      scheduler.finished(b)
    })()
    const outcome = await scheduler.done
    expect(outcome).toEqual({ kind: 'deadlock', blocked: [b.id] })
    expect(engine.lock.holder?.id).toBe(a.id)
  })

  it('detects a livelock when the step budget runs out, and reports it as a violation', async () => {
    const sc = scenario([
      [cmd('SET', 'a', '1'), cmd('GET', 'a'), cmd('GET', 'a')],
      [cmd('SET', 'a', '2'), cmd('GET', 'a')],
    ])
    const e = await run(sc, { maxSteps: 7 })
    expect(e.outcome).toEqual({ kind: 'livelock', steps: 7 })
    expect(e.violations.map((v) => v.kind)).toEqual(['livelock'])
  })

  it('schedules virtual-clock timer events: the clock advances and active expiry runs between commands', async () => {
    const sc = scenario([[cmd('SET', 'k', 'v'), cmd('PEXPIRE', 'k', '5'), cmd('PTTL', 'k')]], {
      timer: { events: 3, stepMs: 10 },
    })
    // Choices are [client 1, timer]: SET and PEXPIRE take three parks each; at the arrival of PTTL fire all three timers.
    const e = await run(sc, { tape: [0, 0, 0, 0, 0, 0, 1, 1, 1] })
    expect(e.outcome.kind).toBe('done')
    const timers = e.trace!.filter((t) => t.site === 'timer')
    expect(timers).toHaveLength(3)
    const clocks = e.recorder.history
      .filter((op) => 'clock' in op.input)
      .map((op) => (op.input as { clock: number }).clock)
    expect(clocks[clocks.length - 1] - clocks[0]).toBe(30)
    // The key expired (actively, by a timer event, or lazily on PTTL): PTTL says -2.
    const pttl = e.recorder.history.find((op) => 'argv' in op.input && op.input.argv[0] === 'PTTL')
    expect(pttl?.output).toBe(-2)
  })
})
