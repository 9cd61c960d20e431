/**
 * Refreshes the regression corpus (fixtures/regressions/): for every mutant, the kill table's shrunk race report (or,
 * for a mutant only the swarm workload reaches, the shrunk report of its first swarm seed from 1), plus the shrunk report of the simulator's own run `npm run sim -- --mutant per-call-lock --runs 200 --seed 1`
 * (the seed's race, found by the default portfolio on the swarm workload). Run it after a change that alters traces:
 *
 *   npx tsx properties/save-regressions.ts && npx biome format --write fixtures/regressions
 *
 * properties/regressions.test.ts replays every file and checks its verdict.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MUTANT_NAMES } from '../sim/mutants.ts'
import { DEFAULT_CONFIG, runSeed } from '../sim/run.ts'
import { shrinkCase } from '../sim/shrink.ts'
import { writeShrunkReport } from '../sim/shrink-report.ts'
import { CATCH_KINDS, checkProperty, runs } from './harness.ts'

const scratch = mkdtempSync(join(tmpdir(), 'redsim-regressions-'))

/** Writes through the report writer (so the replay command names the corpus path), without the HTML page. */
function keep(json: string): void {
  rmSync(json.replace(/\.json$/, '.html'), { force: true })
  console.log(`saved ${json}`)
}

/** Mutants the generated property cases do not reach (the kill table's swarm rows): their corpus entry is a swarm find. */
const swarmOnly: string[] = []
for (const mutant of MUTANT_NAMES) {
  const failure = await checkProperty(CATCH_KINDS, { mutant, numRuns: runs(2000), reportDir: scratch, name: mutant })
  if (!failure?.shrunk) {
    swarmOnly.push(mutant)
    continue
  }
  const kind = failure.shrunk.execution.violations[0].kind
  const source = {
    seed: failure.fcSeed,
    strategy: 'fast-check',
    workload: 'properties',
    config: { workload: 'properties', mutant, seed: failure.fcSeed },
  }
  keep(writeShrunkReport('fixtures/regressions', source, failure.shrunk, `${mutant}-${kind}`).json)
}

// The simulator's own finds on the default configuration (swarm workload, portfolio): the first seed from 1 with a
// violation of the given kind, shrunk. The first is `npm run sim -- --mutant per-call-lock --runs 200 --seed 1`.
const SIMULATOR_FINDS: Array<[mutant: string, kind: string]> = [
  ['per-call-lock', 'interleaved-writes'],
  ['exec-unlocked', 'interleaved-writes'],
  ['watch-blind-to-scripts', 'linearizability'],
  ['lock-leak-on-error', 'deadlock'],
]
const finds: Array<[mutant: string, kind: string | null]> = [
  ...SIMULATOR_FINDS,
  ...swarmOnly.map((m) => [m, null] as [string, null]),
]
for (const [mutant, wanted] of finds) {
  for (let seed = 1; seed <= 200; seed++) {
    const config = { ...DEFAULT_CONFIG, seed, mutant }
    const result = await runSeed(config)
    const kind = wanted ?? result.violations.find((v) => CATCH_KINDS.has(v.kind))?.kind
    if (kind === undefined || !result.violations.some((v) => v.kind === kind)) continue
    const shrunk = await shrinkCase(
      { scenario: result.scenario, mutant, tape: result.tape, maxSteps: result.maxSteps },
      { accept: (violations) => violations.some((v) => v.kind === kind) },
    )
    if (!shrunk) continue
    const source = { seed, strategy: result.strategy, workload: result.workload, config }
    keep(writeShrunkReport('fixtures/regressions', source, shrunk, `${mutant}-swarm-seed-${seed}-${kind}`).json)
    break
  }
}
rmSync(scratch, { recursive: true, force: true })
