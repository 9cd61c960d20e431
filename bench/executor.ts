/**
 * `npm run bench:executor`: the in-process cost of one command through `executor.execute`, no TCP, no RESP.
 *
 *  - GET and SET via a LocalConnection's client, one command awaited at a time: median ns per command over many
 *    batches (the median shrugs off GC pauses and the neighbours' load).
 *  - The scheduling seam's cost: the production seam against a fresh object whose `point` returns undefined. They
 *    must be equivalent; a difference would mean the executor does extra work for the seam in production.
 *  - Lock acquisitions per command (each command takes the lock exactly once, EXEC once for its whole body).
 */
import { Engine } from '../src/engine/engine.ts'
import { memoryLogger } from '../src/engine/logger.ts'
import { productionSeam, type SchedulingSeam } from '../src/engine/seam.ts'
import { LocalConnection } from '../src/server/local-connection.ts'

const quick = process.argv.includes('--quick')
const BATCH = 10_000
const BATCHES = quick ? 10 : 20
const ROUNDS = quick ? 1 : 3

interface Measured {
  medianNs: number
  lockPerCommand: number
}

function argv(...words: string[]): Buffer[] {
  return words.map((w) => Buffer.from(w))
}

async function measure(seam: SchedulingSeam, command: Buffer[], prepare: Buffer[][] = []): Promise<Measured> {
  const engine = new Engine({ seam, logger: memoryLogger() })
  const conn = new LocalConnection(engine)
  const executor = engine.executor
  for (const c of prepare) await executor.execute(conn.client, c)
  // Warm up the JIT before timing.
  for (let i = 0; i < BATCH; i++) await executor.execute(conn.client, command)
  const perBatch: number[] = []
  const locksBefore = engine.lock.acquisitions
  for (let b = 0; b < BATCHES; b++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < BATCH; i++) await executor.execute(conn.client, command)
    perBatch.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  const locks = engine.lock.acquisitions - locksBefore
  perBatch.sort((a, b) => a - b)
  return { medianNs: perBatch[Math.floor(perBatch.length / 2)], lockPerCommand: locks / (BATCH * BATCHES) }
}

function medianOf(runs: Measured[]): Measured {
  return [...runs].sort((a, b) => a.medianNs - b.medianNs)[Math.floor(runs.length / 2)]
}

/** A seam with the same behaviour as production, but a different object (so nothing can special-case it). */
const noopSeam: SchedulingSeam = {
  point(): undefined {
    return undefined
  },
}

async function main(): Promise<void> {
  const value = Buffer.alloc(100, 'v')
  const cases: Array<{ name: string; command: Buffer[]; prepare?: Buffer[][] }> = [
    {
      name: 'GET (hit, 100 B)',
      command: argv('GET', 'key:1'),
      prepare: [[Buffer.from('SET'), Buffer.from('key:1'), value]],
    },
    { name: 'GET (miss)', command: argv('GET', 'missing') },
    { name: 'SET (100 B)', command: [Buffer.from('SET'), Buffer.from('key:1'), value] },
    { name: 'INCR', command: argv('INCR', 'counter') },
  ]
  console.log(
    `bench:executor${quick ? ' (quick)' : ''}: median of ${BATCHES} batches of ${BATCH} awaited commands, median of ${ROUNDS} rounds`,
  )
  console.log(`  ${'command'.padEnd(18)} ${'production'.padStart(12)} ${'no-op seam'.padStart(12)}  ratio  locks/cmd`)
  // Warm the whole path once so the first case does not pay for the JIT.
  await measure(productionSeam, cases[0].command, cases[0].prepare)
  for (const c of cases) {
    // Alternate the two seams, several rounds, so machine load affects both alike; report the median round.
    const productionRuns: Measured[] = []
    const noopRuns: Measured[] = []
    for (let r = 0; r < ROUNDS; r++) {
      productionRuns.push(await measure(productionSeam, c.command, c.prepare))
      noopRuns.push(await measure(noopSeam, c.command, c.prepare))
    }
    const production = medianOf(productionRuns)
    const noop = medianOf(noopRuns)
    const ratio = production.medianNs / noop.medianNs
    console.log(
      `  ${c.name.padEnd(18)} ${`${production.medianNs.toFixed(0)} ns`.padStart(12)} ${`${noop.medianNs.toFixed(0)} ns`.padStart(12)}  ${ratio.toFixed(2)}   ${production.lockPerCommand.toFixed(2)}`,
    )
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
