/**
 * Time moving while a lease is held. Inside one EXEC or one script every command sees one instant (the start of the
 * EXEC or script: Redis 7.2's command-time snapshot, for expiry and for TTL/PTTL/SET PX alike), so the clock moving
 * between two of its commands changes nothing it returns; and the witness check replays such runs (each command at the
 * instant its handler started) instead of skipping them.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine } from '../../src/engine/engine.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import type { SchedulingSeam, SeamSite } from '../../src/engine/seam.ts'
import { ReplyError } from '../../src/protocol/reply.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { witness } from '../../sim/checkers/witness.ts'
import { DEFAULT_CONFIG, execute, scenarioFor, defaultMaxSteps } from '../../sim/run.ts'
import { RandomWalk } from '../../sim/strategies/random.ts'
import { variantNamed } from '../../sim/mutants.ts'

/** A seam that moves the clock by `ms` at every `site` point: time passes while the lease is held. */
function clockMovingAt(site: SeamSite, clock: ManualClock, ms: number): SchedulingSeam {
  return {
    point(at) {
      if (at === site) clock.advance(ms)
    },
  }
}

describe('one instant inside EXEC and scripts', () => {
  it('EXEC: GET, PTTL and GET of a key whose TTL runs out between them agree with each other', async () => {
    const clock = new ManualClock()
    const engine = new Engine({ clock, logger: memoryLogger(), seam: clockMovingAt('exec-step', clock, 6) })
    const c = new LocalConnection(engine)
    await c.call('SET', 'k', '3', 'PX', '10')
    await c.call('MULTI')
    await c.call('GET', 'k')
    await c.call('PTTL', 'k')
    await c.call('GET', 'k')
    await c.call('PEXPIRETIME', 'k')
    // Three steps of 6 ms each: by the wall of the virtual clock the key is gone before the third.
    const reply = (await c.call('EXEC')) as unknown[]
    expect(reply.map((r) => (Buffer.isBuffer(r) ? r.toString() : r))).toEqual(['3', 10, '3', clock.now() - 24 + 10])
    expect(await c.call('EXISTS', 'k')).toBe(0)
  })

  it('a script: the ttl-read fixture sees value, TTL and value again at its start instant', async () => {
    const clock = new ManualClock()
    const engine = new Engine({ clock, logger: memoryLogger(), seam: clockMovingAt('script-call', clock, 6) })
    const c = new LocalConnection(engine)
    await c.call('SET', 'k', 'v', 'PX', '10')
    const script =
      "local a = redis.call('GET', KEYS[1]) local t = redis.call('PTTL', KEYS[1]) " +
      "local b = redis.call('GET', KEYS[1]) return {a, t, b, redis.call('EXISTS', KEYS[1])}"
    const reply = (await c.call('EVAL', script, '1', 'k')) as unknown[]
    expect(reply.map((r) => (Buffer.isBuffer(r) ? r.toString() : r))).toEqual(['v', 10, 'v', 1])
    expect(reply.some((r) => r instanceof ReplyError)).toBe(false)
  })
})

describe('the witness checks runs where time moved under a lease', () => {
  it('replays them (a tampered reply is caught), and the correct executor passes', async () => {
    let checked = 0
    for (let seed = 1; seed <= 120 && checked < 3; seed++) {
      const config = { ...DEFAULT_CONFIG, seed, strategy: 'random' as const }
      const scenario = scenarioFor(config)
      const run = await execute({
        scenario,
        strategy: new RandomWalk(seed, 0.3),
        variant: variantNamed('correct'),
        maxSteps: defaultMaxSteps(scenario),
      })
      if (!run.recorder.clockMovedUnderLease || run.outcome.kind !== 'done') continue
      const recorded = {
        scenario,
        outcome: run.outcome,
        steps: run.steps,
        history: run.recorder.history,
        log: run.recorder.log,
        spans: run.recorder.spans,
        engine: run.engine,
        clientIds: run.clientIds,
        calls: run.recorder.calls,
        serialOrder: run.recorder.serialOrder,
        clockMovedUnderLease: true,
      }
      expect(await witness.check(recorded)).toEqual([])
      const victim = run.recorder.calls.find((c) => c.serial >= 0 && c.reply !== undefined && !c.dropped)
      if (!victim) continue
      const saved = victim.reply
      victim.reply = new ReplyError('ERR tampered')
      expect((await witness.check(recorded)).map((v) => v.kind)).toEqual(['witness-mismatch'])
      victim.reply = saved
      checked++
    }
    expect(checked).toBe(3)
  })
})
