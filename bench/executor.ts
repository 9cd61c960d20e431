/**
 * `npm run bench:executor [-- --quick]`: the in-process cost of one command through `executor.execute`, no TCP, no RESP.
 *
 * Each command is run the way the TCP connection runs it: the reply is used at once when `execute` returns a plain
 * value, and awaited only when it returns a promise. Reported per command:
 *  - production: the median ns per command over many batches (the median shrugs off GC pauses and the neighbours'
 *    load) with the production seam, and the share of commands that completed synchronously (no await at all: the
 *    seam adds no await when nothing waits);
 *  - no-op seam: a fresh seam object whose `point` returns undefined but which does not declare `ignoresDetail`, so
 *    the executor builds the command name for it: production must be as fast or faster (nothing special-cases it);
 *  - pausing seam: every seam point returns a resolved promise, as if something could wait at each: what the seam
 *    would cost if production awaited its points (the executor before this benchmark's changes did, three times);
 *  - lock acquisitions per command (each command takes the lock exactly once, EXEC once for its whole body).
 */
import { Engine } from '../src/engine/engine.ts'
import { memoryLogger } from '../src/engine/logger.ts'
import { productionSeam, type SchedulingSeam } from '../src/engine/seam.ts'
import type { Reply } from '../src/protocol/reply.ts'
import { LocalConnection } from '../src/server/local-connection.ts'

const quick = process.argv.includes('--quick')
const BATCH = 10_000
const BATCHES = quick ? 10 : 20
const ROUNDS = quick ? 1 : 3

interface Measured {
  medianNs: number
  lockPerCommand: number
  syncShare: number
}

function argv(...words: Array<string | Buffer>): Buffer[] {
  return words.map((w) => (Buffer.isBuffer(w) ? w : Buffer.from(w)))
}

async function measure(seam: SchedulingSeam, command: Buffer[], prepare: Buffer[][] = []): Promise<Measured> {
  const engine = new Engine({ seam, logger: memoryLogger() })
  const conn = new LocalConnection(engine)
  const executor = engine.executor
  const client = conn.client
  for (const c of prepare) {
    const reply = await executor.execute(client, c)
    if (reply instanceof Object && 'message' in reply) throw new Error(`prepare failed: ${reply.message}`)
  }
  let last: Reply = null
  // Warm up the JIT before timing.
  for (let i = 0; i < BATCH; i++) {
    const r = executor.execute(client, command)
    last = r instanceof Promise ? await r : r
  }
  if (last instanceof Object && 'message' in last) throw new Error(`command failed: ${last.message}`)
  const perBatch: number[] = []
  const locksBefore = engine.lock.acquisitions
  let synchronous = 0
  for (let b = 0; b < BATCHES; b++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < BATCH; i++) {
      const r = executor.execute(client, command)
      if (r instanceof Promise) await r
      else synchronous++
    }
    perBatch.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  const total = BATCH * BATCHES
  const locks = engine.lock.acquisitions - locksBefore
  perBatch.sort((a, b) => a - b)
  return {
    medianNs: perBatch[Math.floor(perBatch.length / 2)],
    lockPerCommand: locks / total,
    syncShare: synchronous / total,
  }
}

function medianOf(runs: Measured[]): Measured {
  return [...runs].sort((a, b) => a.medianNs - b.medianNs)[Math.floor(runs.length / 2)]
}

/** Behaves as production (never pauses) but is another object, and wants details: nothing can special-case it. */
const noopSeam: SchedulingSeam = {
  point(): undefined {
    return undefined
  },
}

/** Pauses at every point for one microtask: the cost of a seam that awaited each of its points. */
const pausingSeam: SchedulingSeam = {
  point(): Promise<void> {
    return Promise.resolve()
  },
  ignoresDetail: true,
}

const SCRIPT = "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return v"

/** The script's SHA1 as SCRIPT LOAD reports it, or null when scripting is unavailable (the row is then left out). */
async function scriptSha(): Promise<string | null> {
  const engine = new Engine({ logger: memoryLogger() })
  const conn = new LocalConnection(engine)
  const reply = await conn.call('SCRIPT', 'LOAD', SCRIPT)
  return Buffer.isBuffer(reply) ? reply.toString() : typeof reply === 'string' ? reply : null
}

async function main(): Promise<void> {
  const value = Buffer.alloc(100, 'v')
  const cases: Array<{ name: string; command: Buffer[]; prepare?: Buffer[][] }> = [
    { name: 'GET (hit, 100 B)', command: argv('GET', 'key:1'), prepare: [argv('SET', 'key:1', value)] },
    { name: 'GET (miss)', command: argv('GET', 'missing') },
    { name: 'SET (100 B)', command: argv('SET', 'key:1', value) },
    { name: 'INCR', command: argv('INCR', 'counter') },
  ]
  const sha = await scriptSha()
  if (sha) {
    // The script cache is per engine: each measurement's engine loads it first.
    cases.push({
      name: 'EVALSHA GET+SET',
      command: argv('EVALSHA', sha, '1', 'key:1', 'x'),
      prepare: [argv('SCRIPT', 'LOAD', SCRIPT)],
    })
  }
  console.log(
    `bench:executor${quick ? ' (quick)' : ''}: median of ${BATCHES} batches of ${BATCH} commands, median of ${ROUNDS} rounds`,
  )
  console.log(
    `  ${'command'.padEnd(18)} ${'production'.padStart(11)} ${'sync'.padStart(5)} ${'no-op seam'.padStart(11)} ${'pausing seam'.padStart(13)}  locks/cmd`,
  )
  // Warm the whole path once so the first case does not pay for the JIT.
  await measure(productionSeam, cases[0].command, cases[0].prepare)
  for (const c of cases) {
    // Alternate the seams, several rounds, so machine load affects them alike; report the median round.
    const runs = new Map<SchedulingSeam, Measured[]>([
      [productionSeam, []],
      [noopSeam, []],
      [pausingSeam, []],
    ])
    for (let r = 0; r < ROUNDS; r++) {
      for (const [seam, list] of runs) list.push(await measure(seam, c.command, c.prepare))
    }
    const production = medianOf(runs.get(productionSeam) ?? [])
    const noop = medianOf(runs.get(noopSeam) ?? [])
    const pausing = medianOf(runs.get(pausingSeam) ?? [])
    const ns = (m: Measured) => `${m.medianNs.toFixed(0)} ns`
    console.log(
      `  ${c.name.padEnd(18)} ${ns(production).padStart(11)} ${`${Math.round(production.syncShare * 100)}%`.padStart(5)} ${ns(noop).padStart(11)} ${ns(pausing).padStart(13)}  ${production.lockPerCommand.toFixed(2)}`,
    )
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
