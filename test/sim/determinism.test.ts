import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, runSeed } from '../../sim/run.ts'
import { combineHashes } from '../../sim/trace-hash.ts'
import { runBatch } from '../../sim/workers.ts'

const exec = promisify(execFile)
const ROOT = new URL('../../', import.meta.url).pathname

describe('determinism', () => {
  it('the same seed gives the same trace hash, tape and history; other seeds differ', async () => {
    for (const seed of [1, 2, 3]) {
      const a = await runSeed({ ...DEFAULT_CONFIG, seed })
      const b = await runSeed({ ...DEFAULT_CONFIG, seed })
      expect(b.explorationHash).toBe(a.explorationHash)
      expect(b.tape).toEqual(a.tape)
      expect(b.steps).toBe(a.steps)
    }
    const hashes = new Set<string>()
    for (let seed = 10; seed < 20; seed++) {
      hashes.add((await runSeed({ ...DEFAULT_CONFIG, seed, strategy: 'random' })).explorationHash)
    }
    expect(hashes.size).toBe(10)
  })

  it('the same seeds give the same hashes on one worker and on two worker threads', async () => {
    const seeds = [21, 22, 23, 24, 25, 26]
    const config = { ...DEFAULT_CONFIG, strategy: 'random' as const }
    const one = await runBatch({ config, seeds, workers: 1, checkDeterminism: false })
    const two = await runBatch({ config, seeds, workers: 2, checkDeterminism: false })
    expect(two.map((r) => r.seed)).toEqual(seeds)
    expect(two.map((r) => r.explorationHash)).toEqual(one.map((r) => r.explorationHash))
  })

  it('another process (the CLI) computes the same hashes', async () => {
    const seeds = [31, 32, 33]
    const local = await runBatch({ config: DEFAULT_CONFIG, seeds, workers: 1, checkDeterminism: false })
    const { stdout } = await exec(
      'npx',
      ['tsx', 'sim/cli.ts', '--seed', '31', '--runs', '3', '--workers', '1', '--json'],
      {
        cwd: ROOT,
      },
    )
    const summary = JSON.parse(stdout)
    expect(summary.exitCode).toBe(0)
    expect(summary.traceHash).toBe(combineHashes(local.map((r) => r.explorationHash)))
  })

  it('--check-determinism passes on a deterministic run', async () => {
    const results = await runBatch({ config: DEFAULT_CONFIG, seeds: [41, 42], workers: 1, checkDeterminism: true })
    expect(results.map((r) => r.verdict)).toEqual(['pass', 'pass'])
  })
})
