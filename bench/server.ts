/**
 * `npm run bench:server [-- --quick] [--baseline DIR] [--tests set,get,...] [--no-memory]`: redsim against
 * redis-server, side by side, driven by redis-benchmark.
 *
 *  1. Memory per key: RSS growth (VmRSS in /proc/<pid>/status, minus the RSS right after start) after
 *     `redis-benchmark -t set -n 1000000 -r 1000000 -P 16`, divided by DBSIZE, one second after the load ends. A
 *     garbage-collected heap still holds the load's garbage then, so the figure is printed again once the servers have
 *     idled for SETTLE_SECONDS (V8's memory reducer runs a compacting GC after some idle seconds; Redis does not move).
 *  2. Throughput: requests per second at `-c 50` and at `-c 50 -P 16` for SET, GET, INCR, LPUSH, LPOP,
 *     SADD, HSET, ZADD and EVAL / EVALSHA of a cached two-call script, GET then SET. The servers
 *     are measured alternately, several rounds, and the median is reported, because the machine's load changes.
 *     Each server's CPU time (user + system, from /proc/<pid>/stat) per request is printed too: on a shared 2-core
 *     machine the requests per second depend on what else runs, the CPU a server spends per request much less.
 *
 * `--baseline DIR` adds a second redsim started from another checkout (e.g. `git worktree add /tmp/old <commit>`, with
 * node_modules linked) to every round, so that before/after figures come from the same run under the same load.
 *
 * redsim runs as a child process (`node --import tsx src/cli.ts --port P`, i.e. tsx as a loader, in one process
 * whose RSS we can read) so it has its own core, as redis-server has.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { RawClient } from '../test/differential/raw-client.ts'
import {
  answersPing,
  freePort,
  redisServerAvailable,
  startRedis,
  stopChild,
} from '../test/differential/redis-process.ts'

const argv = process.argv.slice(2)
const quick = argv.includes('--quick')
const skipMemory = argv.includes('--no-memory')
const optionValue = (name: string): string | undefined => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const baselineDir = optionValue('--baseline')
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const UNPIPELINED_REQUESTS = quick ? 10_000 : 20_000
const PIPELINED_REQUESTS = quick ? 50_000 : 100_000
const ROUNDS = quick ? 1 : 3
const MEMORY_KEYS = quick ? 100_000 : 1_000_000
const SETTLE_SECONDS = quick ? 0 : 40

/** The script of the EVAL and EVALSHA rows: one read and one write, as a typical read-modify-write script. */
const SCRIPT = "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return v"

interface Target {
  name: string
  port: number
  pid: number
  stop(): Promise<void>
}

async function startRedsim(name: string, dir: string): Promise<Target> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', '--port', String(port), '--save', ''],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  if (!(await answersPing(port, () => exited))) {
    await stopChild(child)
    throw new Error(`${name} did not start`)
  }
  return { name, port, pid: child.pid ?? -1, stop: () => stopChild(child) }
}

async function startRedisTarget(): Promise<Target> {
  const redis = await startRedis()
  return { name: 'redis', port: redis.port, pid: redis.pid, stop: () => redis.stop() }
}

/** Runs redis-benchmark with --csv and returns the rps of each test, in output order. */
function redisBenchmark(port: number, args: string[]): Promise<Array<[string, number]>> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`redis-benchmark ${args.join(' ')} exited ${code}: ${err}`))
      const rows: Array<[string, number]> = []
      for (const line of out.split('\n')) {
        const m = /^"([^"]+)","([\d.]+)"/.exec(line)
        if (m) rows.push([m[1], Number(m[2])])
      }
      resolve(rows)
    })
  })
}

/** Resident set size of a process, in bytes. */
function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /VmRSS:\s+(\d+) kB/.exec(status)
  if (!m) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(m[1]) * 1024
}

async function call(port: number, ...args: string[]): Promise<string> {
  const c = await RawClient.connect(port)
  try {
    return await c.call(...args)
  } finally {
    c.close()
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

interface MemoryFill {
  target: Target
  baseline: number
  keys: number
  afterLoad: number
}

async function fillForMemory(target: Target): Promise<MemoryFill> {
  await sleep(500)
  const baseline = rss(target.pid)
  await redisBenchmark(target.port, ['-t', 'set', '-n', String(MEMORY_KEYS), '-r', String(MEMORY_KEYS), '-P', '16'])
  await sleep(1000)
  const afterLoad = rss(target.pid)
  const keys = Number(/^:(\d+)/.exec(await call(target.port, 'DBSIZE'))?.[1] ?? 0)
  return { target, baseline, keys, afterLoad }
}

async function memorySection(targets: Target[]): Promise<void> {
  console.log(`\nMemory per key (redis-benchmark -t set -n ${MEMORY_KEYS} -r ${MEMORY_KEYS} -P 16)`)
  const fills: MemoryFill[] = []
  for (const t of targets) fills.push(await fillForMemory(t))
  // Idle together; keep the lowest RSS seen (a compacting GC returns the load's garbage).
  const settled = fills.map((f) => f.afterLoad)
  for (let s = 0; s < SETTLE_SECONDS; s++) {
    await sleep(1000)
    fills.forEach((f, i) => {
      settled[i] = Math.min(settled[i], rss(f.target.pid))
    })
  }
  const redis = fills.find((f) => f.target.name === 'redis')
  const perKey = (f: MemoryFill, at: number) => (at - f.baseline) / f.keys
  fills.forEach((f, i) => {
    const loaded = perKey(f, f.afterLoad)
    const idle = perKey(f, settled[i])
    const vs = (x: number, r: number) => (redis && f !== redis ? ` (${(x / r).toFixed(2)}x redis)` : '')
    let line = `  ${f.target.name.padEnd(9)} ${fmt(f.keys)} keys, RSS ${(f.afterLoad / 1048576).toFixed(1)} MB: `
    line += `${fmt(loaded)} B/key 1 s after the load${redis ? vs(loaded, perKey(redis, redis.afterLoad)) : ''}`
    if (SETTLE_SECONDS > 0) {
      line += `; ${fmt(idle)} B/key after ${SETTLE_SECONDS} s idle${redis ? vs(idle, perKey(redis, settled[fills.indexOf(redis)])) : ''}`
    }
    console.log(line)
  })
}

/** One row of the throughput table: the redis-benchmark arguments that run its test. */
interface Workload {
  label: string
  args: string[]
}

const BUILTIN = ['SET', 'GET', 'INCR', 'LPUSH', 'LPOP', 'SADD', 'HSET', 'ZADD']

function workloads(selected: Set<string> | null, sha: string | null): Workload[] {
  const want = (name: string) => selected === null || selected.has(name.toLowerCase())
  const list: Workload[] = BUILTIN.filter(want).map((label) => ({ label, args: ['-t', label.toLowerCase()] }))
  if (sha === null) return list
  if (want('EVAL')) list.push({ label: 'EVAL', args: ['EVAL', SCRIPT, '1', 'key:__rand_int__', 'xxx'] })
  if (want('EVALSHA')) list.push({ label: 'EVALSHA', args: ['EVALSHA', sha, '1', 'key:__rand_int__', 'xxx'] })
  return list
}

/** CPU time (user + system) a process has used so far, in microseconds. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks of 10 ms).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

/** Loads the script on every target; returns its SHA, or null when a target refuses it (its rows are skipped). */
async function loadScript(targets: Target[]): Promise<string | null> {
  let sha: string | null = null
  for (const t of targets) {
    const reply = await call(t.port, 'SCRIPT', 'LOAD', SCRIPT)
    const m = /^\$40\r\n([0-9a-f]{40})\r\n$/.exec(reply)
    if (!m) {
      console.log(`  (${t.name} cannot load the script: ${JSON.stringify(reply)}; EVAL/EVALSHA rows skipped)`)
      return null
    }
    sha = m[1]
    const check = await call(t.port, 'EVALSHA', sha, '1', 'bench:probe', 'x')
    if (check.startsWith('-')) {
      console.log(`  (${t.name} fails EVALSHA: ${JSON.stringify(check)}; EVAL/EVALSHA rows skipped)`)
      return null
    }
  }
  return sha
}

async function throughputSection(targets: Target[]): Promise<void> {
  const only = optionValue('--tests')
  const selected = only ? new Set(only.toLowerCase().split(',')) : null
  const rows = workloads(selected, await loadScript(targets))
  const modes = [
    { label: '-c 50', requests: UNPIPELINED_REQUESTS, args: ['-c', '50'] },
    { label: '-c 50 -P 16', requests: PIPELINED_REQUESTS, args: ['-c', '50', '-P', '16'] },
  ]
  // Warm-up, untimed: a fresh node process runs its first requests in the interpreter, before the JIT compiles them.
  for (const t of targets) {
    for (const row of rows) await redisBenchmark(t.port, ['-c', '50', '-P', '16', '-n', '20000', ...row.args])
  }
  const redsims = targets.filter((t) => t.name !== 'redis')
  console.log(`\nThroughput (requests per second, median of ${ROUNDS} alternating round${ROUNDS > 1 ? 's' : ''})`)
  console.log('  and server CPU time per request (user + system, all rounds): less sensitive to the machine load')
  let header = `  ${'test'.padEnd(20)} ${'redis'.padStart(10)}`
  for (const t of redsims) header += ` ${t.name.padStart(10)} ${`${t.name}/redis`.padStart(15)}`
  header += ` ${'CPU us/req:'.padStart(12)} ${'redis'.padStart(6)}`
  for (const t of redsims) header += ` ${t.name.padStart(9)}`
  console.log(header)
  for (const mode of modes) {
    const rps = new Map<string, number[]>()
    const cpu = new Map<string, number>()
    const key = (row: Workload, t: Target) => `${row.label} ${t.name}`
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which server goes first so drifting load does not favour one of them.
      const order = round % 2 === 0 ? targets : [...targets].reverse()
      for (const row of rows) {
        for (const t of order) {
          const before = cpuMicros(t.pid)
          const result = await redisBenchmark(t.port, [...mode.args, '-n', String(mode.requests), ...row.args])
          cpu.set(key(row, t), (cpu.get(key(row, t)) ?? 0) + cpuMicros(t.pid) - before)
          const list = rps.get(key(row, t)) ?? []
          rps.set(key(row, t), list)
          list.push(result[0]?.[1] ?? 0)
        }
      }
    }
    const perRequest = (row: Workload, t: Target) => (cpu.get(key(row, t)) ?? 0) / (mode.requests * ROUNDS)
    for (const row of rows) {
      const redisTarget = targets[0]
      const redis = median(rps.get(key(row, redisTarget)) ?? [0])
      let line = `  ${`${row.label} ${mode.label}`.padEnd(20)} ${fmt(redis).padStart(10)}`
      for (const t of redsims) {
        const r = median(rps.get(key(row, t)) ?? [0])
        line += ` ${fmt(r).padStart(10)} ${(r / redis).toFixed(2).padStart(15)}`
      }
      line += ` ${''.padStart(12)} ${perRequest(row, redisTarget).toFixed(1).padStart(6)}`
      for (const t of redsims) line += ` ${perRequest(row, t).toFixed(1).padStart(9)}`
      console.log(line)
    }
  }
}

async function startTargets(): Promise<Target[]> {
  const targets = [await startRedisTarget(), await startRedsim('redsim', root)]
  if (baselineDir) targets.push(await startRedsim('baseline', path.resolve(baselineDir)))
  return targets
}

/** Runs `section` on freshly started servers, so that one section's heap and garbage do not weigh on the next. */
async function onFreshServers(section: (targets: Target[]) => Promise<void>): Promise<void> {
  const targets = await startTargets()
  try {
    await section(targets)
  } finally {
    await Promise.all(targets.map((t) => t.stop()))
  }
}

async function main(): Promise<void> {
  if (!redisServerAvailable()) throw new Error('redis-server is not installed (apt-get install -y redis-server)')
  console.log(`bench:server${quick ? ' (quick)' : ''}${baselineDir ? ` (baseline: ${baselineDir})` : ''}`)
  if (!skipMemory) await onFreshServers(memorySection)
  await onFreshServers(throughputSection)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
