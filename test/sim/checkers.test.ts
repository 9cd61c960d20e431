import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine } from '../../src/engine/engine.ts'
import { type Reply, ReplyError } from '../../src/protocol/reply.ts'
import { leaseReleased, noInternalErrors } from '../../sim/checkers/end-state.ts'
import { noInterleavedWrites } from '../../sim/checkers/no-interleaved-writes.ts'
import { witness } from '../../sim/checkers/witness.ts'
import type { RecordedRun } from '../../sim/checkers/types.ts'
import { MUTANT_NAMES, variantNamed } from '../../sim/mutants.ts'
import type { Access, HistoryOperation, ServerCall, Span } from '../../sim/recorder.ts'
import { DEFAULT_CONFIG, runSeed } from '../../sim/run.ts'
import { scenario } from './helpers.ts'

function recorded(log: Array<[number, string, string]>, spans: Span[], history: HistoryOperation[] = []): RecordedRun {
  const accesses: Access[] = log.map(([span, kind, key], seq) => ({
    seq,
    t: seq,
    kind: kind as 'read' | 'write',
    db: 0,
    key,
    client: spans[span].client,
    command: spans[span].command,
    script: null,
    span,
  }))
  return {
    scenario: scenario([]),
    outcome: { kind: 'done' },
    steps: 0,
    history,
    log: accesses,
    spans,
    engine: new Engine({ clock: new ManualClock(), logger: () => {} }),
    clientIds: [1, 2],
    calls: [],
    serialOrder: [],
    clockMovedUnderLease: false,
  }
}

const span = (id: number, client: number, command: string, atomic: boolean): Span => ({
  id,
  client,
  command,
  op: id,
  atomic,
})

describe('no-interleaved-writes checker', () => {
  it('accepts atomic spans whose accesses are contiguous', async () => {
    const run = recorded(
      [
        [0, 'read', 'a'],
        [0, 'write', 'a'],
        [1, 'write', 'a'],
        [2, 'read', 'b'],
        [2, 'write', 'a'],
      ],
      [span(0, 1, 'exec', true), span(1, 2, 'set', false), span(2, 2, 'evalsha', true)],
    )
    expect(await noInterleavedWrites.check(run)).toEqual([])
  })

  it('names the script, the intruder, both clients and the keys', async () => {
    const run = recorded(
      [
        [0, 'read', 'counter'],
        [1, 'write', 'counter'],
        [0, 'write', 'counter'],
      ],
      [span(0, 1, 'evalsha', true), span(1, 2, 'set', false)],
    )
    const [v] = await noInterleavedWrites.check(run)
    expect(v.kind).toBe('interleaved-writes')
    expect(v.message).toMatch(/client #1 was interleaved: SET counter \(write\) of client #2/)
    expect(v.clients).toEqual([1, 2])
    expect(v.keys).toEqual(['counter'])
    expect(v.accesses).toEqual([1])
    expect(v.operations).toEqual([0, 1])
  })

  it('ignores interleaving around non-atomic spans (a plain command cannot be split anyway)', async () => {
    const run = recorded(
      [
        [0, 'read', 'a'],
        [1, 'write', 'a'],
        [0, 'write', 'a'],
      ],
      [span(0, 1, 'mset', false), span(1, 2, 'set', false)],
    )
    expect(await noInterleavedWrites.check(run)).toEqual([])
  })
})

describe('end-state checkers', () => {
  it('a lease still held after every client finished is a leaked lease', async () => {
    const run = recorded([], [])
    expect(await leaseReleased.check(run)).toEqual([])
    run.engine.lock.tryAcquire({ id: 9, name: 'client#9' })
    expect((await leaseReleased.check(run)).map((v) => v.kind)).toEqual(['leaked-lease'])
  })

  it('an internal error reply anywhere (even nested in EXEC, even one the client never got) is a violation', async () => {
    const engine = new Engine({ clock: new ManualClock(), logger: () => {} })
    const internal = engine.internalError(new Error('boom'), 'get')
    const call = (reply: Reply): ServerCall => ({
      client: 1,
      op: 0,
      argv: ['EXEC'],
      serial: 0,
      time: 0,
      started: true,
      reply,
      dropped: false,
    })
    const withCalls = (calls: ServerCall[]): RecordedRun => ({ ...recorded([], []), calls })
    expect((await noInternalErrors.check(withCalls([call([internal])]))).map((v) => v.kind)).toEqual(['internal-error'])
    // Recognised by its type, not its text: an ordinary error reply with the same words is no violation.
    const lookalike = new ReplyError(internal.message)
    expect(await noInternalErrors.check(withCalls([call([lookalike]), call(lookalike)]))).toEqual([])
  })
})

describe('witness checker', () => {
  it('a blocking command that finds nothing in the replay is a mismatch, not a replay that waits forever', async () => {
    const blpop: ServerCall = {
      client: 1,
      op: 0,
      argv: ['BLPOP', 'q', '0'],
      serial: 0,
      time: 0,
      started: true,
      reply: [Buffer.from('q'), Buffer.from('v')],
      dropped: false,
    }
    const op: HistoryOperation = {
      id: 0,
      client: 1,
      invoke: 1,
      return: 2,
      input: { argv: ['BLPOP', 'q', '0'] },
      output: ['q', 'v'],
      calls: [{ argv: ['BLPOP', 'q', '0'], reply: ['q', 'v'] }],
    }
    const run: RecordedRun = { ...recorded([], [], [op]), calls: [blpop], serialOrder: [blpop] }
    const found = await witness.check(run)
    expect(found.map((v) => v.kind)).toEqual(['witness-mismatch'])
    expect(found[0].message).toMatch(/finds nothing to serve it and blocks/)
  })
})

describe('mutants', () => {
  it('exist by name only in the simulator, and the correct executor is the default', () => {
    expect(MUTANT_NAMES).toEqual([
      'per-call-lock',
      'exec-unlocked',
      'evalsha-unlocked',
      'watch-blind-to-scripts',
      'lock-leak-on-error',
      'cron-ignores-lease',
      'ttl-live-clock',
      'exec-stops-at-error',
      'expiry-blind-watch',
      'pcall-raises-reply-errors',
      'serve-left-waiter',
      'handoff-overtaken',
      'pipeline-overtakes-blocked',
    ])
    expect(variantNamed(undefined).name).toBe('correct')
    expect(new Engine({ logger: () => {} }).variant.name).toBe('correct')
    expect(() => variantNamed('nope')).toThrow(/unknown mutant/)
  })

  it('exec-unlocked is caught by the no-interleaved-writes check; the same seeds pass on the correct executor', async () => {
    let caught = 0
    for (let seed = 1; seed <= 10; seed++) {
      const config = { ...DEFAULT_CONFIG, seed, workload: 'transactions', strategy: 'random' as const }
      const bad = await runSeed({ ...config, mutant: 'exec-unlocked' })
      const good = await runSeed(config)
      expect(good.verdict, good.violations[0]?.message).toBe('pass')
      if (bad.violations.some((v) => v.kind === 'interleaved-writes' && /^EXEC of client/.test(v.message))) caught++
    }
    expect(caught).toBeGreaterThanOrEqual(5)
  })
})
