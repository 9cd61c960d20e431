/**
 * `npm run bench:types`: per-operation cost of data-type commands as the collection grows, through the executor
 * (in-process, no TCP): the cost must stay flat (O(1)) or grow with log n (O(log n)), never with n.
 *
 * Each row names a command and how to build a collection of n elements; the same operation is then timed at every
 * size. Adding a type is adding rows to ROWS. `--quick` stops at 100,000 elements; `--only=TEXT` runs the rows whose
 * name contains TEXT.
 *
 * Output: one line per row and size with the median ns per operation over several batches (the median shrugs off
 * GC pauses and the neighbours' load), and the ratio to the smallest size.
 */
import { Engine } from '../src/engine/engine.ts'
import { memoryLogger } from '../src/engine/logger.ts'
import { seededRandom } from '../src/engine/random.ts'
import type { Client } from '../src/engine/client.ts'
import { LocalConnection } from '../src/server/local-connection.ts'

const quick = process.argv.includes('--quick')
/** `--only=TEXT`: just the rows whose name contains TEXT. */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const SIZES = quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000]
const BATCH = 2_000
const BATCHES = 7

interface Row {
  /** What is measured, e.g. "ZADD (new member)". */
  name: string
  /** Builds the collection of `size` elements at key `k` (may issue many commands). */
  build(run: Runner, size: number): Promise<void>
  /** The command for the i-th timed operation on a collection of `size`. */
  op(i: number, size: number): Buffer[]
}

interface Runner {
  exec(...words: Array<string | number>): Promise<unknown>
}

const random = seededRandom('bench-types')
const randomInt = (n: number) => Math.floor(random.next() * n)

/** Builds a sorted set k with members m0..m(size-1) scored 0..size-1, in ZADDs of 1000 pairs. */
async function buildZset(run: Runner, size: number): Promise<void> {
  for (let start = 0; start < size; start += 1000) {
    const args: Array<string | number> = ['ZADD', 'k']
    for (let i = start; i < Math.min(size, start + 1000); i++) args.push(i, `m${i}`)
    await run.exec(...args)
  }
}

/** Builds an aggregate of `size` elements at key k with one command per 1000 elements: `words(i)` adds element i. */
function buildWith(command: string, words: (i: number) => Array<string | number>) {
  return async (run: Runner, size: number): Promise<void> => {
    for (let start = 0; start < size; start += 1000) {
      const args: Array<string | number> = [command, 'k']
      for (let i = start; i < Math.min(size, start + 1000); i++) args.push(...words(i))
      await run.exec(...args)
    }
  }
}

const buildList = buildWith('RPUSH', (i) => [`e${i}`])
const buildHash = buildWith('HSET', (i) => [`f${i}`, i])
const buildSet = buildWith('SADD', (i) => [`m${i}`])

/** A stream k of `size` entries with IDs 1-0 .. size-0, one XADD each. */
async function buildStream(run: Runner, size: number): Promise<void> {
  for (let i = 1; i <= size; i++) await run.exec('XADD', 'k', `${i}-0`, 'f', i)
}

/** The stream, and a consumer group that has read none of it. */
async function buildStreamWithGroup(run: Runner, size: number): Promise<void> {
  await buildStream(run, size)
  await run.exec('XGROUP', 'CREATE', 'k', 'g', '0')
}

/** A geo index of `size` points spread evenly at random over a 10 x 10 degree square. */
async function buildGeo(run: Runner, size: number): Promise<void> {
  for (let start = 0; start < size; start += 1000) {
    const args: Array<string | number> = ['GEOADD', 'k']
    for (let i = start; i < Math.min(size, start + 1000); i++)
      args.push(random.next() * 10, random.next() * 10, `m${i}`)
    await run.exec(...args)
  }
}

/** The radius (km) around a point of the square that holds about 10 of `size` points (the square is ~1.24e6 km2). */
const geoRadiusKm = (size: number) => Math.sqrt((10 * 1.24e6) / (Math.PI * size))

const b = (...words: Array<string | number>) => words.map((w) => Buffer.from(String(w)))

const ROWS: Row[] = [
  {
    // Alternating, so the list keeps its size.
    name: 'LPUSH / LPOP (alternating)',
    build: buildList,
    op: (i) => (i % 2 === 0 ? b('LPUSH', 'k', `n${i}`) : b('LPOP', 'k')),
  },
  {
    name: 'RPUSH / RPOP (alternating)',
    build: buildList,
    op: (i) => (i % 2 === 0 ? b('RPUSH', 'k', `n${i}`) : b('RPOP', 'k')),
  },
  {
    // Redis walks the quicklist to the middle (O(n)); a deque indexes it directly.
    name: 'LINDEX (middle)',
    build: buildList,
    op: (_i, size) => b('LINDEX', 'k', Math.floor(size / 2)),
  },
  {
    name: 'HSET (new field)',
    build: buildHash,
    op: (i) => b('HSET', 'k', `new${i}`, i),
  },
  {
    name: 'HSET (existing field)',
    build: buildHash,
    op: (i, size) => b('HSET', 'k', `f${randomInt(size)}`, i),
  },
  {
    name: 'HGET (random field)',
    build: buildHash,
    op: (_i, size) => b('HGET', 'k', `f${randomInt(size)}`),
  },
  {
    name: 'SADD (new member)',
    build: buildSet,
    op: (i) => b('SADD', 'k', `new${i}`),
  },
  {
    name: 'SISMEMBER (random member)',
    build: buildSet,
    op: (_i, size) => b('SISMEMBER', 'k', `m${randomInt(size)}`),
  },
  {
    name: 'ZADD (new member, random score)',
    build: buildZset,
    op: (i, size) => b('ZADD', 'k', randomInt(size), `new${i}`),
  },
  {
    name: 'ZADD (update score of a member)',
    build: buildZset,
    op: (_i, size) => b('ZADD', 'k', randomInt(size), `m${randomInt(size)}`),
  },
  {
    name: 'ZRANGE by rank (10 from a random rank)',
    build: buildZset,
    op: (_i, size) => {
      const start = randomInt(size - 10)
      return b('ZRANGE', 'k', start, start + 9)
    },
  },
  {
    name: 'ZRANGE BYSCORE (10 from a random score)',
    build: buildZset,
    op: (_i, size) => b('ZRANGE', 'k', randomInt(size), '+inf', 'BYSCORE', 'LIMIT', 0, 10),
  },
  {
    name: 'ZRANK (random member)',
    build: buildZset,
    op: (_i, size) => b('ZRANK', 'k', `m${randomInt(size)}`),
  },
  {
    name: 'XADD (append)',
    build: buildStream,
    op: (i, size) => b('XADD', 'k', `${size + 1 + i}-0`, 'f', i),
  },
  {
    name: 'XRANGE (10 from a random ID)',
    build: buildStream,
    op: (_i, size) => b('XRANGE', 'k', `${1 + randomInt(size - 10)}`, '+', 'COUNT', 10),
  },
  {
    // Each read delivers the next entry into the group's pending entries list; the appends keep entries to read.
    name: 'XADD / XREADGROUP > (alternating)',
    build: buildStreamWithGroup,
    op: (i, size) =>
      i % 2 === 0
        ? b('XADD', 'k', `${size + 1 + i}-0`, 'f', i)
        : b('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 1, 'STREAMS', 'k', '>'),
  },
  {
    name: 'GEOSEARCH (about 10 points around a random place)',
    build: buildGeo,
    op: (_i, size) =>
      b(
        'GEOSEARCH',
        'k',
        'FROMLONLAT',
        1 + random.next() * 8,
        1 + random.next() * 8,
        'BYRADIUS',
        geoRadiusKm(size),
        'km',
      ),
  },
]

async function measure(row: Row, size: number): Promise<number> {
  const engine = new Engine({ logger: memoryLogger() })
  const conn = new LocalConnection(engine)
  const client: Client = conn.client
  const run: Runner = { exec: async (...words) => engine.executor.execute(client, b(...words)) }
  await row.build(run, size)
  // Warm-up batch, untimed.
  for (let i = 0; i < BATCH; i++) await engine.executor.execute(client, row.op(i, size))
  const perBatch: number[] = []
  for (let batch = 0; batch < BATCHES; batch++) {
    const ops = Array.from({ length: BATCH }, (_, i) => row.op(BATCH * (batch + 1) + i, size))
    const start = process.hrtime.bigint()
    for (const op of ops) await engine.executor.execute(client, op)
    perBatch.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  perBatch.sort((x, y) => x - y)
  return perBatch[Math.floor(perBatch.length / 2)]
}

async function main(): Promise<void> {
  console.log(`bench:types  median ns/op over ${BATCHES} batches of ${BATCH}, sizes ${SIZES.join(', ')}`)
  for (const row of ROWS) {
    if (only && !row.name.includes(only)) continue
    let base = 0
    for (const size of SIZES) {
      const ns = await measure(row, size)
      if (base === 0) base = ns
      const ratio = (ns / base).toFixed(2)
      console.log(`${row.name.padEnd(44)} n=${String(size).padStart(9)}  ${ns.toFixed(0).padStart(7)} ns/op  x${ratio}`)
    }
  }
}

await main()
