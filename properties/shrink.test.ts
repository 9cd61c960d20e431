/**
 * sim/shrink.ts: a failing run shrinks to a small one of the same kind whose tape replays it exactly; a passing run
 * does not shrink; and the simulator's command line reports the shrunk run of the seed's race (at most 2
 * clients and 3 commands for `npm run sim -- --mutant per-call-lock --runs 200 --seed 1`).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type CliIO, main } from '../sim/cli.ts'
import { readReport } from '../sim/report/json.ts'
import { defaultMaxSteps, execute, replayExecution } from '../sim/run.ts'
import { shrinkCase } from '../sim/shrink.ts'
import { RandomWalk } from '../sim/strategies/random.ts'
import { variantNamed } from '../sim/mutants.ts'
import { fixtureScripts, type Operation, type Scenario } from '../sim/workloads.ts'

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const io: CliIO = { out: (t) => (out += t), err: (t) => (out += t), isTTY: false }
  return { code: await main(args, io), out }
}

const counter: Operation = { kind: 'script', script: 'counter', keys: ['k0'], args: ['1'], via: 'eval' }
const cmd = (...argv: string[]): Operation => ({ kind: 'command', argv })

/** Three clients with plenty of noise around one read-modify-write counter script. */
const noisy: Scenario = {
  workload: 'test',
  seed: 7,
  clients: 3,
  opsPerClient: 4,
  keys: 2,
  setup: [['SET', 'b0', '100']],
  programs: [
    [cmd('GET', 'k1'), counter, cmd('SET', 'k1', '3'), cmd('GET', 'k1')],
    [cmd('INCR', 'k1'), cmd('SET', 'k0', '5'), cmd('DEL', 'k1'), cmd('INCR', 'k0')],
    [
      cmd('MGET', 'k0', 'k1'),
      {
        kind: 'multi',
        commands: [
          ['GET', 'k1'],
          ['INCR', 'k1'],
        ],
      },
      cmd('GET', 'k0'),
    ],
  ],
  faults: { disconnects: [] },
  timer: { events: 2, stepMs: 5 },
  scripts: { counter: fixtureScripts().get('counter')!.source },
}

/** The first random-walk schedule (by seed) under which `mutant` shows an interleaving. */
async function failingTape(mutant: string): Promise<number[]> {
  for (let seed = 1; seed < 500; seed++) {
    const run = await execute({
      scenario: noisy,
      strategy: new RandomWalk(seed),
      variant: variantNamed(mutant),
      maxSteps: defaultMaxSteps(noisy),
    })
    if (run.violations.some((v) => v.kind === 'interleaved-writes')) return run.tape
  }
  throw new Error('no failing schedule found')
}

describe('shrinking a failing run (sim/shrink.ts)', () => {
  it('per-call-lock: a noisy 3-client run shrinks to the script and one intruder, and replays exactly', async () => {
    const tape = await failingTape('per-call-lock')
    const maxSteps = defaultMaxSteps(noisy)
    const shrunk = await shrinkCase({ scenario: noisy, mutant: 'per-call-lock', tape, maxSteps })
    expect(shrunk).not.toBeNull()
    const { case: small, execution, before, after } = shrunk!
    expect(before.clients).toBe(3)
    expect(after.clients).toBe(2)
    expect(after.commands).toBeLessThanOrEqual(3)
    expect(after.faults + after.timerEvents + after.setup).toBe(0)
    expect(after.preemptions).toBeLessThanOrEqual(1)
    expect(execution.violations[0].kind).toBe('interleaved-writes')
    expect(small.scenario.programs.flat()).toContainEqual(counter)

    const replayed = await replayExecution(small.scenario, 'per-call-lock', small.tape, small.maxSteps)
    expect(replayed.traceHash).toBe(execution.traceHash)
    // The shrunk schedule is harmless on the correct executor.
    const correct = await replayExecution(small.scenario, 'correct', small.tape, small.maxSteps)
    expect(correct.violations).toEqual([])
  })

  it('a run that does not fail does not shrink', async () => {
    const tape = await failingTape('per-call-lock')
    expect(await shrinkCase({ scenario: noisy, mutant: 'correct', tape, maxSteps: defaultMaxSteps(noisy) })).toBeNull()
  })

  it('keeps to the budget it is given', async () => {
    const tape = await failingTape('per-call-lock')
    const shrunk = await shrinkCase(
      { scenario: noisy, mutant: 'per-call-lock', tape, maxSteps: defaultMaxSteps(noisy) },
      { budget: 5 },
    )
    // Five runs plus the final full-trace one (and the prefix check's fallback) at most.
    expect(shrunk!.executions).toBeLessThanOrEqual(7)
    expect(shrunk!.execution.violations[0].kind).toBe('interleaved-writes')
  })
})

describe('the simulator CLI shrinks what it finds', () => {
  const args = [
    '--seed',
    '1',
    '--workload',
    'transactions',
    '--mutant',
    'exec-unlocked',
    '--strategy',
    'random',
    '--json',
  ]

  it('writes a shrunk report next to the found one, and --no-shrink skips it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-no-shrink-'))
    const shrinking = JSON.parse((await cli(...args, '--report-dir', dir)).out)
    // The EXEC is interleaved by a read of another client: an interleaved access (sim/report/headline.ts).
    expect(shrinking.violations[0].report).toBe(join(dir, '1-interleaved-access.json'))
    expect(shrinking.violations[0].shrunk.report).toBe(join(dir, '1-interleaved-access-shrunk.json'))
    const found = readReport(shrinking.violations[0].report)
    const small = readReport(shrinking.violations[0].shrunk.report)
    expect(small.kind).toBe('interleaved-access')
    expect(found.shrunk).toBeUndefined()
    expect(small.shrunk!.from.clients).toBe(found.scenario.clients)
    expect(small.shrunk!.to.commands).toBeLessThan(small.shrunk!.from.commands)
    const plain = JSON.parse((await cli(...args, '--report-dir', dir, '--no-shrink')).out)
    expect(plain.exitCode).toBe(1)
    expect(plain.violations[0].shrunk).toBeUndefined()
  })
})

describe('npm run sim -- --mutant per-call-lock --runs 200 --seed 1', () => {
  it("finds the seed's race and reports it shrunk to at most 2 clients and 3 commands", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-shrink-cli-'))
    const r = await cli('--mutant', 'per-call-lock', '--runs', '200', '--seed', '1', '--report-dir', dir, '--json')
    expect(r.code).toBe(1)
    const summary = JSON.parse(r.out)
    const race = summary.violations.find(
      (v: { kind: string; shrunk?: unknown }) =>
        v.shrunk && ['interleaved-writes', 'interleaved-access', 'linearizability'].includes(v.kind),
    )
    expect(race, 'no shrunk interleaving or linearizability report').toBeDefined()
    const report = readReport(race.shrunk.report)
    expect(report.scenario.clients).toBeLessThanOrEqual(2)
    // Commands the clients actually sent, counted from the history (setup and clock entries excluded).
    // Commands the clients sent, counted from the history: clock entries and the setup commands (first) left out.
    const sent = report.history
      .filter((op) => !('clock' in op.input))
      .slice(report.scenario.setup.length)
      .reduce((n, op) => n + op.calls.length, 0)
    expect(sent).toBeGreaterThanOrEqual(2)
    expect(sent).toBeLessThanOrEqual(3)
    expect(report.shrunk!.to.commands).toBe(sent)
    expect(report.mutant).toBe('per-call-lock')

    const replayed = await cli('--replay', race.shrunk.report)
    expect(replayed.code).toBe(1)
    expect(replayed.out).toContain(`trace ${report.traceHash} (same as recorded)`)
  }, 300_000)
})
