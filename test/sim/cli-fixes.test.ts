/**
 * The sim command line's fixes from a new user's first run: ranges and combinations refused with one line (exit 2),
 * the report directory checked before any seed runs, every failing seed listed past the report limit and
 * --max-reports to raise it, a replay refused when its scenario was edited or holds an operation kind nobody knows,
 * the progress bar counting violations, and the report headed by its most harmful violation.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type CliIO, main } from '../../sim/cli.ts'
import { scenarioHash } from '../../sim/report/json.ts'

async function cli(
  args: string[],
  extra: Partial<CliIO> = {},
): Promise<{ code: number; out: string; err: string; elapsed: number }> {
  let out = ''
  let err = ''
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), isTTY: false, ...extra }
  const started = Date.now()
  const code = await main(args, io)
  return { code, out, err, elapsed: Date.now() - started }
}

/** Many seeds of the unlocked-EXEC mutant fail: a quick source of several violations. */
const failing = ['--workload', 'transactions', '--mutant', 'exec-unlocked', '--strategy', 'random', '--workers', '1']

describe('sim CLI fixes', () => {
  it('--seed -1 gets the range message', async () => {
    const r = await cli(['--seed', '-1'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/^redsim sim: --seed must be between 0 and \d+, got -1\n/)
  })

  it('--depth with --strategy random is a usage error', async () => {
    const r = await cli(['--strategy', 'random', '--depth', '2'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--depth applies to pct, dfs and portfolio; the random strategy has no depth/)
  })

  it('--report-dir that cannot hold reports stops before the run: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-cli-'))
    const file = join(dir, 'a-file')
    writeFileSync(file, 'x')
    for (const [reportDir, message] of [
      [file, 'not a directory'],
      [join(file, 'reports'), `${file} is not a directory`],
    ]) {
      const r = await cli(['--report-dir', reportDir, '--runs', '100000', ...failing])
      expect(r.code).toBe(2)
      expect(r.err).toBe(`redsim sim: --report-dir ${reportDir}: ${message}\n`)
      expect(r.out).toBe('')
    }
    // A directory that does not exist yet is fine (it is created when a report is written), and not created early.
    const fresh = join(dir, 'new', 'reports')
    const ok = await cli(['--report-dir', fresh, '--seed', '1'])
    expect(ok.code).toBe(0)
    expect(existsSync(fresh)).toBe(false)
  })

  it('past --max-reports every failing seed is listed; the reports written are headed by their worst violation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-cli-'))
    const r = await cli([
      '--seed',
      '1',
      '--runs',
      '8',
      '--max-reports',
      '2',
      '--no-shrink',
      '--report-dir',
      dir,
      ...failing,
    ])
    expect(r.code).toBe(1)
    const failed = Number(/violations (\d+)/.exec(r.out)?.[1])
    expect(failed).toBeGreaterThan(2)
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(2)
    const listed = /… and (\d+) more violations, without reports \(raise --max-reports to write them\): (.*)$/m.exec(
      r.out,
    )
    expect(listed?.[1]).toBe(String(failed - 2))
    expect(listed?.[2].split(', ')).toHaveLength(failed - 2)
    expect(listed?.[2]).toMatch(/^seed \d+ [a-z-]+(, seed \d+ [a-z-]+)*$/)
  })

  it('--replay refuses an edited scenario ("scenario changed") and an unknown operation kind, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-cli-'))
    const found = await cli(['--seed', '1', '--no-shrink', '--report-dir', dir, ...failing])
    expect(found.code).toBe(1)
    const path = join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!)
    const report = JSON.parse(readFileSync(path, 'utf8'))
    expect(report.scenarioHash).toBe(scenarioHash(report.scenario))
    expect((await cli(['--replay', path])).code).toBe(1)

    const edited = structuredClone(report)
    edited.scenario.programs[0].pop() // one operation fewer: the tape would replay another run
    writeFileSync(path, JSON.stringify(edited))
    const changed = await cli(['--replay', path])
    expect(changed.code).toBe(2)
    expect(changed.err).toMatch(/^redsim sim: .*: scenario changed since the report was written/)

    const unknown = structuredClone(report)
    unknown.scenario.programs[0][0] = { kind: 'teleport', key: 'k0' }
    unknown.scenarioHash = scenarioHash(unknown.scenario)
    writeFileSync(path, JSON.stringify(unknown))
    const refused = await cli(['--replay', path])
    expect(refused.code).toBe(2)
    expect(refused.err).toMatch(/unknown operation kind 'teleport' in client 1's program/)
  })

  it('the progress bar counts the violations found so far', async () => {
    let drawn = ''
    const write = (t: string): boolean => {
      drawn += t
      return true
    }
    const stream = { write, isTTY: true, columns: 120 }
    const r = await cli(['--seed', '1', '--runs', '4', '--no-shrink', '--max-reports', '0', ...failing], {
      isTTY: true,
      progressStream: stream as unknown as NodeJS.WritableStream,
    })
    const failed = Number(/violations (\d+)/.exec(r.out)?.[1])
    expect(failed).toBeGreaterThan(0)
    expect(drawn).toContain(`4/4 100% · violations ${failed}`)
  })
})
