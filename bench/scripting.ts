/**
 * `npm run bench:scripting [-- --quick]`: the in-process cost of a cached two-call script through `executor.execute`
 * (EVALSHA of `local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return v`), no TCP, no RESP.
 *
 * Each call is timed on its own with process.hrtime (about 100 ns of timer overhead included), after a warm-up; the
 * figures are the median and the 99th percentile in microseconds, and the ratio of the median to the goal
 * (10 µs: at most 1.0 meets it). Also shown, for scale: a plain GET through the same path, EVAL of the same script
 * (its body hashed once, then found by text), and the cost of an engine's first script (the shared Lua runtime is
 * built once per process, so a new engine only pays for its script cache). And the same two calls as a function
 * (FCALL), and what a FUNCTION LOAD REPLACE of its library costs.
 */
import { Engine } from '../src/engine/engine.ts'
import { memoryLogger } from '../src/engine/logger.ts'
import { seededRandom } from '../src/engine/random.ts'
import type { Reply } from '../src/protocol/reply.ts'
import { LocalConnection } from '../src/server/local-connection.ts'

const quick = process.argv.includes('--quick')
const WARMUP = quick ? 20_000 : 50_000
const SAMPLES = quick ? 50_000 : 200_000
const GOAL_US = 10

const SCRIPT = "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return v"
const LIBRARY =
  "#!lua name=bench\nredis.register_function('getset', function(keys, args) local v = redis.call('GET', keys[1]) " +
  "redis.call('SET', keys[1], args[1]) return v end)"

function argv(...words: string[]): Buffer[] {
  return words.map((w) => Buffer.from(w))
}

function isError(reply: Reply): boolean {
  return reply instanceof Object && 'message' in reply
}

interface Figures {
  medianUs: number
  p99Us: number
  syncShare: number
  locksPerCall: number
}

async function measure(engine: Engine, command: Buffer[]): Promise<Figures> {
  const client = new LocalConnection(engine).client
  const executor = engine.executor
  for (let i = 0; i < WARMUP; i++) {
    const r = executor.execute(client, command)
    const reply = r instanceof Promise ? await r : r
    if (i === 0 && isError(reply)) throw new Error(`command failed: ${(reply as { message: string }).message}`)
  }
  const samples = new Float64Array(SAMPLES)
  let synchronous = 0
  const locksBefore = engine.lock.acquisitions
  for (let i = 0; i < SAMPLES; i++) {
    const start = process.hrtime.bigint()
    const r = executor.execute(client, command)
    if (r instanceof Promise) await r
    else synchronous++
    samples[i] = Number(process.hrtime.bigint() - start) / 1000
  }
  samples.sort()
  return {
    medianUs: samples[Math.floor(SAMPLES / 2)],
    p99Us: samples[Math.floor(SAMPLES * 0.99)],
    syncShare: synchronous / SAMPLES,
    locksPerCall: (engine.lock.acquisitions - locksBefore) / SAMPLES,
  }
}

function newEngine(): Engine {
  return new Engine({ random: seededRandom(1), logger: memoryLogger() })
}

function row(name: string, f: Figures): string {
  return (
    `${name.padEnd(34)} median ${f.medianUs.toFixed(2).padStart(6)} µs   p99 ${f.p99Us.toFixed(2).padStart(6)} µs   ` +
    `sync ${(f.syncShare * 100).toFixed(0).padStart(3)}%   locks/call ${f.locksPerCall.toFixed(2)}`
  )
}

async function main(): Promise<void> {
  // The first script in the process builds the shared Lua runtime; later engines reuse it.
  const firstStart = process.hrtime.bigint()
  const first = new LocalConnection(newEngine())
  await first.call('EVAL', 'return 1', 0)
  const firstMs = Number(process.hrtime.bigint() - firstStart) / 1e6
  const engines = 300
  const perEngineMs = async (script: boolean): Promise<number> => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < engines; i++) {
      const c = new LocalConnection(newEngine())
      await (script ? c.call('EVAL', 'return 1', 0) : c.call('PING'))
    }
    return Number(process.hrtime.bigint() - start) / 1e6 / engines
  }
  await perEngineMs(true)
  await perEngineMs(false)
  const withScriptMs = await perEngineMs(true)
  const withoutMs = await perEngineMs(false)

  const engine = newEngine()
  const setup = new LocalConnection(engine)
  const sha = (await setup.call('SCRIPT', 'LOAD', SCRIPT)) as string
  await setup.call('SET', 'k', 'v')
  const evalsha = await measure(engine, argv('EVALSHA', sha, '1', 'k', 'v'))
  const evalText = await measure(engine, argv('EVAL', SCRIPT, '1', 'k', 'v'))
  const get = await measure(engine, argv('GET', 'k'))
  await setup.call('FUNCTION', 'LOAD', LIBRARY)
  const fcall = await measure(engine, argv('FCALL', 'getset', '1', 'k', 'v'))
  const loads = 2_000
  const loadStart = process.hrtime.bigint()
  for (let i = 0; i < loads; i++) await setup.call('FUNCTION', 'LOAD', 'REPLACE', LIBRARY)
  const loadUs = Number(process.hrtime.bigint() - loadStart) / 1e3 / loads

  console.log(`bench:scripting (${quick ? 'quick' : 'full'}: ${SAMPLES} timed calls each, after ${WARMUP} warm-up)`)
  console.log(row('EVALSHA two-call script (GET, SET)', evalsha))
  console.log(row('EVAL of the same script', evalText))
  console.log(row('FCALL of the same two calls', fcall))
  console.log(row('GET (for scale)', get))
  console.log(
    `goal: EVALSHA median ≤ ${GOAL_US} µs -> ratio ${(evalsha.medianUs / GOAL_US).toFixed(2)} ` +
      `(${evalsha.medianUs <= GOAL_US ? 'met' : 'not met'})`,
  )
  console.log(
    `first script of the process ${firstMs.toFixed(1)} ms (builds the Lua runtime); afterwards a new engine and its ` +
      `first EVAL ${withScriptMs.toFixed(3)} ms, a new engine and a PING ${withoutMs.toFixed(3)} ms`,
  )
  console.log(`FUNCTION LOAD REPLACE of that library: ${loadUs.toFixed(1)} µs each (mean of ${loads})`)
}

await main()
