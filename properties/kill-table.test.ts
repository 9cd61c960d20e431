/**
 * The mutant kill table: the properties, run against every mutant of sim/mutants.ts, must fail, each through a check
 * that sees the bug the mutant plants (an internal error does not count), and the shrunk race report they write
 * must replay (`npm run sim -- --replay`) to the same trace hash and the same verdict.
 */
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type CliIO, main } from '../sim/cli.ts'
import { MUTANT_NAMES } from '../sim/mutants.ts'
import { readReport } from '../sim/report/json.ts'
import { replayExecution } from '../sim/run.ts'
import { type ViolationKind, VIOLATION_KINDS } from '../sim/checkers/registry.ts'
import { CATCH_KINDS, checkProperty, describeFailure, offending, runs } from './harness.ts'

/**
 * The checks expected to see each mutant's bug (docs/simulator.md). A report names an intrusion that only read an
 * interleaved access (sim/report/headline.ts), so the atomicity check appears under both names.
 */
const EXPECTED: Record<string, string[]> = {
  'per-call-lock': [
    'interleaved-writes',
    'interleaved-access',
    'linearizability',
    'witness-mismatch',
    'counter',
    'transfer-total',
  ],
  'exec-unlocked': ['interleaved-writes', 'interleaved-access', 'witness-mismatch', 'linearizability'],
  'evalsha-unlocked': [
    'interleaved-writes',
    'interleaved-access',
    'linearizability',
    'witness-mismatch',
    'counter',
    'transfer-total',
  ],
  'watch-blind-to-scripts': ['witness-mismatch', 'linearizability'],
  'lock-leak-on-error': ['deadlock', 'leaked-lease'],
  'exec-stops-at-error': ['witness-mismatch', 'linearizability'],
  'pcall-raises-reply-errors': ['witness-mismatch', 'linearizability'],
}

/**
 * Mutants whose bug needs time to pass at the right moment (a key expiring while a script or EXEC is in the middle):
 * the generated cases, whose few timer events mostly fire before any TTL is set, do not reach it within the budget.
 * The simulator's default swarm workload does (its timer events are spread over the run and it keeps a pool of
 * short-lived keys), so for these the swarm must catch the bug and its shrunk report must replay.
 */
const SWARM_EXPECTED: Record<string, string[]> = {
  'cron-ignores-lease': ['interleaved-writes', 'interleaved-access', 'linearizability'],
  'ttl-live-clock': ['witness-mismatch', 'linearizability'],
  'expiry-blind-watch': ['witness-mismatch', 'linearizability'],
  // The generated cases have no blocking commands: the swarm's queue templates reach this one.
  'serve-left-waiter': ['witness-mismatch', 'linearizability', 'queue'],
  // The generated cases catch this one, but shrink it no further than two WATCH increments (five commands each) and
  // a script: above the table's ten commands. The swarm's shrunk report is smaller.
  'handoff-overtaken': ['interleaved-writes', 'interleaved-access', 'witness-mismatch', 'linearizability'],
  // Only connections reach it (a pipelined command behind a blocked one), and the generated cases call the executor.
  'pipeline-overtakes-blocked': ['connection-order'],
}

const dir = mkdtempSync(join(tmpdir(), 'redsim-kill-table-'))
const table: string[] = []

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const io: CliIO = { out: (t) => (out += t), err: (t) => (out += t), isTTY: false }
  return { code: await main(args, io), out }
}

/** The first shrunk report the CLI wrote into `out`. */
function firstShrunkReport(out: string): string {
  const name = readdirSync(out).find((f) => f.endsWith('-shrunk.json'))
  if (!name) throw new Error(`no shrunk report in ${out}`)
  return join(out, name)
}

describe('mutant kill table: the properties catch every mutant', () => {
  it('covers every mutant the simulator knows', () => {
    expect([...Object.keys(EXPECTED), ...Object.keys(SWARM_EXPECTED)].sort()).toEqual([...MUTANT_NAMES].sort())
  })

  it('expects only registered kinds that catch a mutant', () => {
    for (const [mutant, kinds] of Object.entries({ ...EXPECTED, ...SWARM_EXPECTED })) {
      for (const kind of kinds) {
        expect(VIOLATION_KINDS.has(kind as ViolationKind), `${mutant}: '${kind}' is not a registered kind`).toBe(true)
        expect(CATCH_KINDS.has(kind), `${mutant}: '${kind}' does not catch a mutant`).toBe(true)
      }
    }
  })

  for (const [mutant, expected] of Object.entries(SWARM_EXPECTED)) {
    it(`${mutant} is caught by the swarm workload, shrunk, and the report replays`, async () => {
      const seeds = runs(200)
      const out = join(dir, `swarm-${mutant}`)
      const run = await cli('--mutant', mutant, '--runs', String(seeds), '--seed', '1', '--report-dir', out)
      expect(run.code, `${mutant} survived ${seeds} swarm seeds:\n${run.out}`).toBe(1)
      const shrunkReport = /report (\S+-shrunk\.json)/.exec(run.out)?.[1] ?? firstShrunkReport(out)
      const report = readReport(shrunkReport)
      expect(expected).toContain(report.kind)
      const replayed = await cli('--replay', shrunkReport)
      expect(replayed.code).toBe(1)
      expect(replayed.out).toContain(`trace ${report.traceHash} (same as recorded)`)
      const correct = await replayExecution(report.scenario, 'correct', report.tape, report.maxSteps, false)
      expect(offending(correct.violations, CATCH_KINDS)).toEqual([])
      table.push(`${mutant.padEnd(24)} ${report.kind.padEnd(20)} (swarm seed ${report.seed})`)
    }, 600_000)
  }

  for (const mutant of Object.keys(EXPECTED)) {
    it(`${mutant} is caught, shrunk, reported, and the report replays`, async () => {
      const numRuns = runs(2000)
      const failure = await checkProperty(CATCH_KINDS, { mutant, numRuns, reportDir: dir, name: `kill-${mutant}` })
      expect(failure, `${mutant} survived ${numRuns} generated cases`).not.toBeNull()
      const found = failure!
      const kinds = found.violations.map((v) => v.kind)
      expect(
        kinds.some((k) => EXPECTED[mutant].includes(k)),
        `${mutant} caught only by ${kinds.join(', ')}`,
      ).toBe(true)
      expect(kinds).not.toContain('internal-error')

      // Shrunk by fast-check and then by sim/shrink.ts: a handful of clients and commands.
      expect(found.shrunk).not.toBeNull()
      const size = found.shrunk!.after
      expect(size.clients).toBeLessThanOrEqual(3)
      expect(size.commands).toBeLessThanOrEqual(10)

      // The printed command reproduces it: same trace hash, exit 1.
      const report = readReport(found.report)
      expect(found.replay).toBe(`npm run sim -- --replay ${found.report}`)
      expect(describeFailure(mutant, found)).toContain(`reproduce:   ${found.replay}`)
      expect(report.mutant).toBe(mutant)
      expect(report.shrunk?.to.clients).toBe(size.clients)
      const replayed = await cli('--replay', found.report)
      expect(replayed.code).toBe(1)
      expect(replayed.out).toContain(`trace ${report.traceHash} (same as recorded)`)
      expect(replayed.out).toContain(`verdict VIOLATION ${report.kind}`)

      // The same scenario and schedule on the correct executor: nothing to catch.
      const correct = await replayExecution(report.scenario, 'correct', report.tape, report.maxSteps, false)
      expect(offending(correct.violations, CATCH_KINDS)).toEqual([])

      table.push(
        `${mutant.padEnd(24)} ${report.kind.padEnd(20)} ${String(size.clients).padStart(7)} ${String(size.commands).padStart(8)} ${String(size.preemptions).padStart(11)}`,
      )
    }, 600_000)
  }

  afterAll(() => {
    if (table.length > 0) {
      console.log(['mutant                   caught by            clients commands preemptions', ...table].join('\n'))
    }
  })
})
