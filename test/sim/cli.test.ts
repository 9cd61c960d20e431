import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { type CliIO, main } from '../../sim/cli.ts'
import { readReport, writeReport } from '../../sim/report/json.ts'
import { DEFAULT_CONFIG, replayExecution, runSeed } from '../../sim/run.ts'
import { hasCommand } from '../../sim/workloads.ts'

const exec = promisify(execFile)
const ROOT = new URL('../../', import.meta.url).pathname

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), isTTY: false }
  const code = await main(args, io)
  return { code, out, err }
}

describe('sim CLI: usage errors exit 2 with a clear message', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--seed'], /--seed/],
    [['--seed', 'x'], /--seed needs an integer, got 'x'/],
    [['--seed=-1'], /--seed must be between 0/],
    [['--seed', '-1'], /--seed must be between 0 and \d+, got -1/],
    [['--runs', '0'], /--runs must be between 1/],
    [['--workers', '0'], /--workers must be between 1/],
    [['--shard', '2/2'], /--shard must be i\/n with 0 <= i < n/],
    [['--shard', 'a'], /--shard must be i\/n/],
    [['--strategy', 'smart'], /--strategy must be one of random, pct, dfs, portfolio/],
    [['--depth', '0', '--strategy', 'pct'], /--depth must be at least 1 for PCT/],
    [['--depth', '1.5'], /--depth needs an integer/],
    [['--clients', '0'], /--clients must be between 1/],
    [['--ops=-3'], /--ops must be between 0/],
    [['--keys', 'many'], /--keys needs an integer/],
    [['--workload', 'nope'], /unknown --workload 'nope'/],
    [['--faults', 'maybe'], /--faults must be on or off/],
    [['--mutant', 'nope'], /unknown mutant 'nope'/],
    [['extra'], /unexpected argument 'extra'/],
    [['--replay', 'x.json', '--seed', '3'], /cannot be combined with --seed/],
    [['--replay', 'x.json', '--check-determinism'], /cannot be combined with --check-determinism/],
    [['--replay', '/nonexistent/report.json'], /cannot read \/nonexistent\/report.json/],
  ]
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const r = await cli(...args)
      expect(r.code).toBe(2)
      expect(r.err).toMatch(message)
      expect(r.out).toBe('')
    })
  }

  it('a file that is not a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-cli-'))
    writeFileSync(join(dir, 'a.json'), '{"hello":1}')
    writeFileSync(join(dir, 'b.json'), 'not json')
    expect((await cli('--replay', join(dir, 'a.json'))).err).toMatch(/is not a redsim race report/)
    expect((await cli('--replay', join(dir, 'b.json'))).err).toMatch(/is not JSON/)
  })

  it('a workload this build cannot run yet', async () => {
    const r = await cli('--workload', 'scripts')
    if (hasCommand('eval')) expect(r.code).toBe(0)
    else {
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/workload 'scripts' needs EVAL/)
    }
  })

  it('the real process exits with status 2', async () => {
    const failed = await exec('npx', ['tsx', 'sim/cli.ts', '--runs', 'lots'], { cwd: ROOT }).catch((e) => e)
    expect(failed.code).toBe(2)
    expect(failed.stderr).toMatch(/--runs needs an integer/)
  })
})

describe('sim CLI: runs', () => {
  it('--help prints every option and exits 0', async () => {
    const r = await cli('--help')
    expect(r.code).toBe(0)
    for (const flag of [
      '--seed',
      '--runs',
      '--workers',
      '--shard',
      '--strategy',
      '--depth',
      '--clients',
      '--ops',
      '--keys',
      '--workload',
      '--faults',
      '--mutant',
      '--replay',
      '--report-dir',
      '--json',
      '--check-determinism',
      '--help',
    ]) {
      expect(r.out).toContain(flag)
    }
  })

  it('one seed prints the summary and exits 0', async () => {
    const r = await cli('--seed', '1')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^seed 1 · strategy \S+ · workload swarm · executor correct\n/)
    expect(r.out).toMatch(/clients \d+ · operations \d+ · steps \d+/)
    expect(r.out).toMatch(/verdict pass\ntrace [0-9a-f]{64}\nelapsed \d+ ms\n$/)
  })

  it('--json prints one object; --shard picks every n-th seed of the range', async () => {
    const all = JSON.parse((await cli('--seed', '5', '--runs', '4', '--workers', '1', '--json')).out)
    expect(all).toMatchObject({ seed: 5, runs: 4, seeds: 4, passed: 4, exitCode: 0, verdict: 'pass' })
    const shard = JSON.parse(
      (await cli('--seed', '5', '--runs', '4', '--shard', '1/2', '--workers', '1', '--json')).out,
    )
    expect(shard).toMatchObject({ seeds: 2, shard: '1/2', exitCode: 0 })
    expect(shard.traceHash).not.toBe(all.traceHash)
  })

  it('a violation writes a report and exits 1; --replay reproduces the same trace hash and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-reports-'))
    const r = await cli(
      '--seed',
      '1',
      '--workload',
      'transactions',
      '--mutant',
      'exec-unlocked',
      '--strategy',
      'random',
      '--report-dir',
      dir,
    )
    expect(r.code).toBe(1)
    // The EXEC was interleaved by a read: an interleaved access (an intruding write would be interleaved-writes).
    expect(r.out).toMatch(/verdict VIOLATION interleaved-access: EXEC of client #1 was interleaved: GET/)
    const path = join(dir, '1-interleaved-access.json')
    expect(r.out).toContain(`replay: npm run sim -- --replay ${path}`)
    const report = readReport(path)
    expect(report.kind).toBe('interleaved-access')
    expect(report.mutant).toBe('exec-unlocked')
    expect(report.history.length).toBeGreaterThan(0)
    expect(report.log.length).toBeGreaterThan(0)
    expect(report.trace.length).toBe(report.summary.steps)
    expect(report.involved.length).toBeGreaterThan(0)
    expect(report.redsim.version).toBe('0.1.0')
    const html = readFileSync(join(dir, '1-interleaved-access.html'), 'utf8')
    expect(html).toContain(`npm run sim -- --replay ${path}`)
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/<script|src="http/)

    const replayed = await cli('--replay', path)
    expect(replayed.code).toBe(1)
    expect(replayed.out).toContain(`trace ${report.traceHash} (same as recorded)`)
    const execution = await replayExecution(report.scenario, report.mutant, report.tape, report.maxSteps)
    expect(execution.traceHash).toBe(report.traceHash)

    // The same schedule on the correct executor does not violate anything.
    const fixed = await replayExecution(report.scenario, 'correct', report.tape, report.maxSteps)
    expect(fixed.violations).toEqual([])
  })

  it('a livelock report replays to the same livelock and trace hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-reports-'))
    const seed = await runSeed({ ...DEFAULT_CONFIG, seed: 3, workload: 'commands', strategy: 'random', maxSteps: 40 })
    expect(seed.violations.map((v) => v.kind)).toEqual(['livelock'])
    const execution = await replayExecution(seed.scenario, seed.mutant, seed.tape, seed.maxSteps)
    const { json } = writeReport(dir, seed, execution, { seed: 3 })
    const replayed = JSON.parse((await cli('--replay', json, '--json')).out)
    expect(replayed).toMatchObject({ reproduced: true, sameTrace: true, exitCode: 1, kind: 'livelock' })
    expect(replayed.traceHash).toBe(seed.traceHash)
  })
})
