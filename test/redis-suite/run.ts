/**
 * `npm run test:redis-suite`: Redis 7.0.15's own Tcl test suite as a yardstick. Runs chosen units in external mode
 * against redsim (started as `npm start` does) and, side by side, against a real redis-server; prints ok/err/exception
 * per unit for both, and fails when redsim's ok count for a unit is below its floor (floors.json), when a unit does not
 * finish within the per-unit timeout, or when redsim stops answering during a unit.
 *
 * Options: --units a,b (a subset, names as in UNITS), --no-redis (redsim only), --timeout <seconds per unit>,
 * --raise-floors (write redsim's counts into floors.json where they are higher; a floor never goes down this way),
 * --keep-logs (print where each unit's full runtest output was written). REDIS_SUITE_DIR overrides the cache directory.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { answersPing, freePort, startRedis, stopChild } from '../differential/redis-process.ts'
import { formatTable, judgeUnit, parseRuntestOutput, type UnitRun } from './results.ts'
import { EVAL_ONLY_SCRIPTING_UNIT, ensureSuite } from './suite-source.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const floorsPath = fileURLToPath(new URL('floors.json', import.meta.url))
const skipsPath = fileURLToPath(new URL('redsim-skips.json', import.meta.url))

/**
 * Tests skipped on redsim only (runtest --skiptest; a name starting with '/' is a regular expression), each with the
 * reason: tests that would wait forever on redsim (a reply or message it never sends) and so stop the whole unit at
 * the timeout. redis-server runs them all, so the table shows the gap.
 */
type Skips = Record<string, Record<string, string>>

/**
 * The units run, in order. scripting.tcl runs its tests through FCALL and then through EVAL; the EVAL-only copy
 * keeps the EVAL half's count visible on its own.
 */
const UNITS = [
  EVAL_ONLY_SCRIPTING_UNIT,
  'unit/scripting',
  'unit/multi',
  'unit/type/string',
  'unit/type/incr',
  'unit/type/hash',
  'unit/type/list',
  'unit/type/list-2',
  'unit/type/list-3',
  'unit/type/set',
  'unit/type/zset',
  'unit/keyspace',
  'unit/expire',
  'unit/pubsub',
  'unit/bitops',
  'unit/hyperloglog',
  'unit/sort',
  'unit/info-command',
  'unit/protocol',
  'unit/introspection',
  'unit/introspection-2',
  'unit/querybuf',
  'unit/tracking',
  'unit/functions',
  'unit/latency-monitor',
]

/**
 * Tags left out, on both servers alike:
 * - needs:debug — DEBUG (RELOAD, OBJECT, SLEEP, JMAP, digest, ...): redsim has no DEBUG command;
 * - needs:repl — replication (REPLICAOF, a replica's stream, propagation checks through `attach_to_replication_stream`);
 * - needs:config-maxmemory — tests that set maxmemory on the server under test, left out as in the counts Redis's
 *   issue lists (an external server is assumed to have its own memory settings).
 * The suite itself also leaves out external:skip (tests that start their own server) in external mode and singledb:skip
 * (tests that SELECT) under --singledb.
 */
const EXCLUDED_TAGS = ['needs:debug', 'needs:repl', 'needs:config-maxmemory']

interface Options {
  units: string[]
  withRedis: boolean
  timeoutSeconds: number
  raiseFloors: boolean
  keepLogs: boolean
}

function parseOptions(argv: string[]): Options {
  const options: Options = { units: UNITS, withRedis: true, timeoutSeconds: 480, raiseFloors: false, keepLogs: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--units') {
      options.units = argv[++i].split(',').map((u) => (u.startsWith('unit/') ? u : `unit/${u}`))
      const unknown = options.units.filter((u) => !UNITS.includes(u))
      if (unknown.length > 0) throw new Error(`unknown units: ${unknown.join(', ')}`)
    } else if (arg === '--no-redis') options.withRedis = false
    else if (arg === '--timeout') options.timeoutSeconds = Number(argv[++i])
    else if (arg === '--raise-floors') options.raiseFloors = true
    else if (arg === '--keep-logs') options.keepLogs = true
    else throw new Error(`unknown option ${arg}`)
  }
  return options
}

interface Server {
  readonly port: number
  alive(): Promise<boolean>
  stop(): Promise<void>
  /** The server's own output so far, for a crash report. */
  output(): string
}

/** redsim as `npm start` runs it (scripts/start.mjs), on a free port, no persistence. */
async function startRedsim(): Promise<Server> {
  const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--save', ''], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString()
      const match = /ready to accept connections tcp on [^\s]+:(\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`redsim exited (${code}) before serving:\n${output}`)))
  })
  return serverOf(child, port, () => output)
}

function serverOf(child: ChildProcess, port: number, output: () => string): Server {
  return {
    port,
    alive: async () =>
      child.exitCode === null && child.signalCode === null && (await answersPing(port, () => child.exitCode !== null)),
    stop: () => stopChild(child),
    output,
  }
}

async function startRedisServer(): Promise<Server> {
  const redis = await startRedis()
  return {
    port: redis.port,
    alive: async () => answersPing(redis.port, () => false),
    stop: () => redis.stop(),
    output: () => '',
  }
}

/** Runs one unit with `runtest` against a server; the process group is killed at the timeout. */
function runUnit(
  suiteDir: string,
  unit: string,
  port: number,
  baseport: number,
  timeoutSeconds: number,
  skips: readonly string[],
): Promise<{ output: string; timedOut: boolean; seconds: number }> {
  const args = ['--host', '127.0.0.1', '--port', String(port), '--single', unit, '--singledb', '--ignore-encoding']
  args.push('--ignore-digest', '--clients', '1', '--baseport', String(baseport), '--timeout', String(timeoutSeconds))
  for (const tag of EXCLUDED_TAGS) args.push('--tags', `-${tag}`)
  for (const test of skips) args.push('--skiptest', test)
  const started = process.hrtime.bigint()
  return new Promise((resolve) => {
    const child = spawn('./runtest', args, { cwd: suiteDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString()
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      // runtest starts its test clients as child processes: stop the whole group.
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
    }, timeoutSeconds * 1000)
    child.once('close', () => {
      clearTimeout(timer)
      resolve({ output, timedOut, seconds: Number(process.hrtime.bigint() - started) / 1e9 })
    })
  })
}

async function runSide(
  name: 'redsim' | 'redis',
  start: () => Promise<Server>,
  suiteDir: string,
  options: Options,
  baseport: number,
  logDir: string,
  results: Map<string, UnitRun>,
  skips: Skips,
): Promise<void> {
  for (const unit of options.units) {
    // A fresh server per unit, as the suite gives each unit when it starts its own: in external mode a unit's
    // CONFIG SETs would otherwise reach the next ones (type/list leaves proto-max-bulk-len at 10gb, and then
    // protocol's "invalid bulk length" tests wait forever).
    const server = await start()
    try {
      const unitSkips = Object.keys(skips[unit] ?? {})
      const { output, timedOut, seconds } = await runUnit(
        suiteDir,
        unit,
        server.port,
        baseport,
        options.timeoutSeconds,
        unitSkips,
      )
      const logFile = join(logDir, `${name}-${unit.replace(/\//g, '_')}.log`)
      writeFileSync(logFile, output)
      const alive = await server.alive()
      const run: UnitRun = {
        counts: parseRuntestOutput(output),
        end: !alive ? 'crash' : timedOut ? 'timeout' : 'done',
        seconds,
      }
      results.set(unit, run)
      const mark = run.end === 'done' ? '' : ` ${run.end.toUpperCase()}`
      process.stdout.write(
        `${name.padEnd(6)} ${unit}: ${run.counts.ok} ok, ${run.counts.err} err, ${run.counts.exception} exception` +
          ` (${seconds.toFixed(0)} s)${mark}${options.keepLogs ? ` ${logFile}` : ''}\n`,
      )
      if (!alive) process.stdout.write(`${name} stopped answering; its output:\n${server.output().slice(-4000)}\n`)
    } finally {
      await server.stop()
    }
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  const suiteDir = ensureSuite(
    process.env.REDIS_SUITE_DIR ?? join(root, 'node_modules/.cache/redis-suite', 'redis-7.0.15'),
  )
  const floors: Record<string, number> = JSON.parse(readFileSync(floorsPath, 'utf8'))
  const skips: Skips = JSON.parse(readFileSync(skipsPath, 'utf8'))
  const logDir = mkdtempSync(join(tmpdir(), 'redsim-redis-suite-'))
  mkdirSync(logDir, { recursive: true })
  const redsimResults = new Map<string, UnitRun>()
  const redisResults = new Map<string, UnitRun>()
  // The two sides run at once, each against its own server; runtest's own ports (--baseport) kept apart.
  const basePortA = 20000 + ((await freePort()) % 1000) * 10
  await Promise.all([
    runSide('redsim', startRedsim, suiteDir, options, basePortA, logDir, redsimResults, skips),
    options.withRedis
      ? runSide('redis', startRedisServer, suiteDir, options, basePortA + 5000, logDir, redisResults, {})
      : Promise.resolve(),
  ])
  const rows = options.units.map((unit) => {
    const redsim = redsimResults.get(unit)!
    return {
      unit,
      redsim,
      redis: redisResults.get(unit),
      floor: floors[unit],
      verdict: judgeUnit(redsim, floors[unit]),
    }
  })
  process.stdout.write(`\nRedis ${'7.0.15'} test suite, external mode, tags excluded: ${EXCLUDED_TAGS.join(' ')}\n`)
  process.stdout.write(`${formatTable(rows)}\n`)
  process.stdout.write(`full runtest output per unit: ${logDir}\n`)
  for (const unit of options.units) {
    for (const [test, reason] of Object.entries(skips[unit] ?? {})) {
      process.stdout.write(`skipped on redsim: ${unit}: ${test} (${reason})\n`)
    }
  }
  for (const row of rows) {
    if (row.redsim.counts.failures.length === 0) continue
    process.stdout.write(`\n${row.unit} (redsim):\n  ${row.redsim.counts.failures.join('\n  ')}\n`)
  }
  if (options.raiseFloors) {
    for (const row of rows) {
      if (row.redsim.end === 'done' && row.redsim.counts.ok > (floors[row.unit] ?? -1))
        floors[row.unit] = row.redsim.counts.ok
    }
    writeFileSync(floorsPath, `${JSON.stringify(floors, null, 2)}\n`)
    process.stdout.write(`floors written to ${floorsPath}\n`)
  }
  const failed = rows.filter((r) => r.verdict !== undefined && !(options.raiseFloors && r.redsim.end === 'done'))
  process.stdout.write(`\nredis-suite: ${rows.length - failed.length} units passed, ${failed.length} failed\n`)
  return failed.length === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`redis-suite: ${(err as Error).stack ?? err}\n`)
    process.exit(1)
  },
)
