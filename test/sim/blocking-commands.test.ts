import { describe, expect, it } from 'vitest'
import { cmd, run, scenario } from './helpers.ts'

/** `actor:site` (plus the detail of serve points and timer jumps) for each scheduling step. */
function steps(trace: Array<{ actor: number; site: string; detail?: string }>): string[] {
  return trace.map((t) => `${t.actor}:${t.site}${t.site === 'serve' || t.detail === 'jump' ? ` ${t.detail}` : ''}`)
}

describe('blocking commands in the simulator', () => {
  it('a blocked BLPOP waits without being runnable and is served inside the pusher lease, at a serve point', async () => {
    const e = await run(scenario([[cmd('BLPOP', 'q', '0.05')], [cmd('RPUSH', 'q', 'a')]]))
    expect(e.outcome.kind).toBe('done')
    expect(e.violations).toEqual([])
    expect(steps(e.trace!)).toEqual([
      '1:arrive',
      '1:lock-acquired',
      // Client 1 blocked: it is no choice until served, so client 2 runs alone.
      '2:arrive',
      '2:lock-acquired',
      '2:serve client#1',
      '2:reply',
      '1:reply',
    ])
    const [blpop, rpush] = e.recorder.history.filter((op) => op.client !== 0)
    expect(blpop.output).toEqual(['q', 'a'])
    expect(rpush.output).toBe(1)
    expect(e.engine.keyspace.db(0).has('q')).toBe(false)
  })

  it('while the pusher is parked at the serve point it keeps its lease: a newcomer LPOP waits and finds nothing', async () => {
    const sc = scenario([[cmd('BLPOP', 'q', '0.05')], [cmd('RPUSH', 'q', 'a')], [cmd('LPOP', 'q')]])
    // Client 1 first, to block; client 2 pushes; while client 2 is parked at its serve point, client 3 arrives and
    // goes on to wait for the lock; then the rest without preemption.
    const e = await run(sc, { tape: [0, 0, 0, 0, 1, 1] })
    expect(e.violations).toEqual([])
    expect(steps(e.trace!).slice(3, 7)).toEqual(['2:lock-acquired', '3:arrive', '3:lock-wait', '2:serve client#1'])
    const outputs = Object.fromEntries(
      e.recorder.history.filter((op) => op.client !== 0).map((op) => [op.client, op.output]),
    )
    expect(outputs).toEqual({ 1: ['q', 'a'], 2: 1, 3: null })
  })

  it('a blocked client times out on virtual time: the clock jumps to its deadline when nobody else can run', async () => {
    const e = await run(scenario([[cmd('BLPOP', 'q', '0.05')], [cmd('LLEN', 'q')]]))
    expect(e.outcome.kind).toBe('done')
    expect(e.violations).toEqual([])
    expect(steps(e.trace!)).toContain('0:timer jump')
    const blpop = e.recorder.history.find((op) => op.client === 1)!
    expect(blpop.output).toBeNull()
    const clocks = e.recorder.history
      .filter((op) => 'clock' in op.input)
      .map((op) => (op.input as { clock: number }).clock)
    expect(clocks[clocks.length - 1] - clocks[0]).toBe(50)
  })

  it('a timer event runs the blocking timeouts that are due', async () => {
    const sc = scenario([[cmd('BLPOP', 'q', '0.01')], [cmd('LLEN', 'q'), cmd('LLEN', 'q')]], {
      timer: { events: 1, stepMs: 20 },
    })
    // Client 1 blocks; then the timer event (the last of the two choices) fires before client 2 does anything.
    const e = await run(sc, { tape: [0, 0, 1] })
    expect(e.violations).toEqual([])
    const trace = steps(e.trace!)
    expect(trace.slice(2, 4)).toEqual(['0:timer', '1:reply'])
    expect(e.recorder.history.find((op) => op.client === 1)!.output).toBeNull()
  })

  it('a client that times out while the pusher is parked at its serve point is not served: the element stays', async () => {
    const sc = scenario([[cmd('BLPOP', 'q', '0.01')], [cmd('RPUSH', 'q', 'a')]])
    // Client 1 blocks (the only choices until then: who arrives first, who takes the lock first); at client 2's serve
    // point, time jumps to client 1's deadline (the second choice).
    const e = await run(sc, { tape: [0, 0, 1] })
    expect(e.violations).toEqual([])
    expect(steps(e.trace!).slice(4, 6)).toEqual(['0:timer jump', '1:reply'])
    expect(e.recorder.history.find((op) => op.client === 1)!.output).toBeNull()
    expect(e.engine.keyspace.db(0).has('q')).toBe(true)
  })

  it('a client blocked forever with nobody to serve it is a deadlock, not a hang', async () => {
    const e = await run(scenario([[cmd('BLPOP', 'q', '0')], [cmd('LLEN', 'q')]]))
    expect(e.outcome).toEqual({ kind: 'deadlock', blocked: [1] })
  })

  it('BLMOVE served by a push moves the element, and the mover may serve the next blocked client in turn', async () => {
    const sc = scenario([
      [cmd('BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', '1')],
      [cmd('BLPOP', 'b', '1')],
      [cmd('RPUSH', 'a', 'x')],
    ])
    const e = await run(sc)
    expect(e.outcome.kind).toBe('done')
    expect(e.violations).toEqual([])
    const outputs = Object.fromEntries(
      e.recorder.history.filter((op) => op.client !== 0).map((op) => [op.client, op.output]),
    )
    expect(outputs).toEqual({ 1: 'x', 2: ['b', 'x'], 3: 1 })
    expect(steps(e.trace!).filter((s) => s.includes('serve'))).toEqual(['3:serve client#1', '3:serve client#2'])
  })
})
