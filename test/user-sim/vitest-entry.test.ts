/**
 * redsim/vitest: a failing simulationTest fails its vitest test with the report path and a replay command that, run
 * as printed, replays that report to the same trace hash while the file's other simulations search as usual; a
 * simulationProperty's inputs shrink with fast-check's, down to the smallest inputs that still fail.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { NativeClient } from '../../sim/user/native-client.ts'
import { writeUserReport } from '../../sim/user/report.ts'
import {
  checkSimulation,
  SimulationFailedError,
  simulationProperty,
  simulationTestOptions,
} from '../../sim/user/vitest.ts'

const reportDir = mkdtempSync(join(tmpdir(), 'redsim-vitest-'))
const FIXTURE = 'test/user-sim/fixtures/simulation-test.fixture.ts'
const FIXTURE_CONFIG = 'test/user-sim/fixtures/vitest.config.ts'

function vitest(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', ...args, '--config', FIXTURE_CONFIG, '--reporter=verbose'],
      { env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 120_000, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` })
      },
    )
  })
}

describe('simulationTest', () => {
  it('fails the test with the report and a replay command that replays it as printed', async () => {
    const dir = mkdtempSync(join(reportDir, 'fixture-'))
    const first = await vitest([FIXTURE], { FIXTURE_REPORT_DIR: dir })
    expect(first.code).toBe(1)
    expect(first.output).toMatch(/✓ .*an INCR counter/)
    expect(first.output).toMatch(/× .*a read-add-write counter/)
    expect(first.output).toContain('lost update: n = ')
    const command =
      /reproduce \(trace hash ([0-9a-f]{16})\): (REDSIM_REPLAY=(\S+) npx vitest run (\S+) -t '(.+)')$/m.exec(
        first.output,
      )
    expect(command, first.output).not.toBeNull()
    const [, traceHash, , report, file, pattern] = command!
    expect(file).toBe(FIXTURE)
    expect(pattern).toBe("a read-add-write counter \\(it'\\''s racy\\)")
    expect(JSON.parse(readFileSync(report, 'utf8')).traceHash.slice(0, 16)).toBe(traceHash)

    // As printed (the shell's quoting undone), plus the fixture's configuration.
    const again = await vitest([file, '-t', pattern.replace(/'\\''/g, "'")], {
      FIXTURE_REPORT_DIR: dir,
      REDSIM_REPLAY: report,
    })
    expect(again.code).toBe(1)
    expect(again.output).toContain(`replayed ${report}, trace hash ${traceHash} as the report's`)
    expect(again.output).not.toContain('the run differs from the report')
    expect(again.output).toMatch(/↓ .*an INCR counter/)

    // The whole file with REDSIM_REPLAY: the INCR simulation is not the report's, so it searches and passes.
    const whole = await vitest([file], { FIXTURE_REPORT_DIR: dir, REDSIM_REPLAY: report })
    expect(whole.output).toMatch(/✓ .*an INCR counter/)
    expect(whole.output).toContain(`replayed ${report}`)
  }, 240_000)

  it('replays only the report of its own simulation', () => {
    const base = join(reportDir, 'named')
    writeUserReport(base, {
      format: 'redsim-user-simulation',
      formatVersion: 1,
      redsim: { version: '0', commit: '' },
      replay: '',
      name: 'mine',
      kind: 'check',
      message: '',
      seed: 1,
      clients: 2,
      clientLibrary: 'native',
      maxSteps: 100,
      faults: { disconnects: 0 },
      tape: [],
      traceHash: '',
      steps: 0,
      preemptions: 0,
      shrunkFrom: null,
      connections: {},
      trace: [],
      operations: [],
    })
    const env = { REDSIM_REPLAY: `${base}.json` }
    const client = async () => {}
    expect(simulationTestOptions('mine', undefined, { client }, env).replay).toBe(`${base}.json`)
    expect(simulationTestOptions('other', undefined, { client }, env).replay).toBe(false)
    expect(simulationTestOptions('x', undefined, { client, name: 'mine' }, env).replay).toBe(`${base}.json`)
    expect(simulationTestOptions('mine', undefined, { client }, {}).replay).toBe(false)
    const options = simulationTestOptions('a.b (c)', `${process.cwd()}/test/x.test.ts`, { client }, {})
    expect(options.replayCommand!('r.json')).toBe(
      "REDSIM_REPLAY=r.json npx vitest run test/x.test.ts -t 'a\\.b \\(c\\)'",
    )
  })
})

describe('checkSimulation', () => {
  it('throws a SimulationFailedError carrying the failure, and resolves to the result on a pass', async () => {
    const options = {
      clientLibrary: 'native' as const,
      runs: 20,
      name: 'check-simulation',
      reportDir,
      replay: false as const,
      check: async (redis: NativeClient) => (await redis.call('GET', 'n')) === '2',
    }
    const error = await checkSimulation({
      ...options,
      client: async (redis: NativeClient) => {
        await redis.call('SET', 'n', String(Number(await redis.call('GET', 'n')) + 1))
      },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SimulationFailedError)
    const failure = (error as SimulationFailedError).failure
    expect(failure.kind).toBe('check')
    expect((error as Error).message).toContain(`report: ${failure.report}`)
    expect((error as Error).message).toContain(`REDSIM_REPLAY=${failure.report}`)
    const pass = await checkSimulation({
      ...options,
      client: async (redis: NativeClient) => redis.call('INCR', 'n'),
    })
    expect(pass).toEqual({ ok: true, runs: 20 })
  })
})

describe('simulationProperty', () => {
  it("shrinks the user's inputs to the smallest that fail, and the counterexample's error names its report", async () => {
    // Each client does `racy` read-add-write increments and `atomic` INCRs: any racy increment can lose an update.
    const property = simulationProperty(
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 4 }),
      (racy, atomic) => ({
        clientLibrary: 'native' as const,
        clients: 2,
        runs: 30,
        name: 'property',
        reportDir,
        client: async (redis: NativeClient) => {
          for (let i = 0; i < racy; i++) {
            await redis.call('SET', 'n', String(Number(await redis.call('GET', 'n')) + 1))
          }
          for (let i = 0; i < atomic; i++) await redis.call('INCR', 'n')
        },
        check: async (redis: NativeClient) => {
          const n = await redis.call('GET', 'n')
          const expected = 2 * (racy + atomic)
          if (Number(n ?? 0) !== expected) throw new Error(`lost update: n = ${n}, expected ${expected}`)
        },
      }),
    )
    const details = await fc.check(property, { seed: 42, numRuns: 30 })
    expect(details.failed).toBe(true)
    expect(details.counterexample).toEqual([1, 0])
    expect(details.numShrinks).toBeGreaterThan(0)
    const error = details.errorInstance as SimulationFailedError
    expect(error).toBeInstanceOf(SimulationFailedError)
    expect(error.message).toContain('inputs [1,0]')
    expect(JSON.parse(readFileSync(error.failure.report, 'utf8')).inputs).toBe('[1,0]')
  }, 120_000)

  it('passes when every input passes', async () => {
    const property = simulationProperty(fc.integer({ min: 0, max: 3 }), (atomic) => ({
      clientLibrary: 'native' as const,
      runs: 5,
      reportDir,
      client: async (redis: NativeClient) => {
        for (let i = 0; i < atomic; i++) await redis.call('INCR', 'n')
      },
      check: async (redis: NativeClient) => Number((await redis.call('GET', 'n')) ?? 0) === 2 * atomic,
    }))
    await fc.assert(property, { seed: 7, numRuns: 10 })
  })
})
