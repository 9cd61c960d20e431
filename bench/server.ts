/**
 * `npm run bench:server [-- --quick]`: redsim against redis-server, side by side, driven by redis-benchmark.
 *
 *  1. Memory per key: RSS growth (VmRSS in /proc/<pid>/status, minus the RSS right after start) after
 *     `redis-benchmark -t set -n 1000000 -r 1000000`, divided by DBSIZE. Run first, on fresh processes.
 *  2. Throughput: requests per second for SET, GET and INCR at `-c 50` and at `-c 50 -P 16`. The two servers are
 *     measured alternately, several rounds, and the median is reported, because the machine's load changes.
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

const quick = process.argv.includes('--quick')
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const THROUGHPUT_REQUESTS = quick ? 20_000 : 100_000
const PIPELINED_REQUESTS = quick ? 100_000 : 500_000
const ROUNDS = quick ? 1 : 3
const MEMORY_KEYS = quick ? 100_000 : 1_000_000

interface Target {
  name: 'redis' | 'redsim'
  port: number
  pid: number
  stop(): Promise<void>
}

async function startRedsim(): Promise<Target> {
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  if (!(await answersPing(port, () => exited))) {
    await stopChild(child)
    throw new Error('redsim did not start')
  }
  return { name: 'redsim', port, pid: child.pid ?? -1, stop: () => stopChild(child) }
}

async function startRedisTarget(): Promise<Target> {
  const redis = await startRedis()
  return { name: 'redis', port: redis.port, pid: redis.pid, stop: () => redis.stop() }
}

/** Runs redis-benchmark with --csv and returns the rps of each test. */
function redisBenchmark(port: number, args: string[]): Promise<Map<string, number>> {
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
      const rps = new Map<string, number>()
      for (const line of out.split('\n')) {
        const m = /^"([^"]+)","([\d.]+)"/.exec(line)
        if (m) rps.set(m[1], Number(m[2]))
      }
      resolve(rps)
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

async function memoryPerKey(target: Target): Promise<{ keys: number; bytesPerKey: number; rssMb: number }> {
  await new Promise((r) => setTimeout(r, 500))
  const baseline = rss(target.pid)
  await redisBenchmark(target.port, ['-t', 'set', '-n', String(MEMORY_KEYS), '-r', String(MEMORY_KEYS), '-P', '16'])
  await new Promise((r) => setTimeout(r, 1000))
  const after = rss(target.pid)
  const keys = Number(/^:(\d+)/.exec(await call(target.port, 'DBSIZE'))?.[1] ?? 0)
  return { keys, bytesPerKey: (after - baseline) / keys, rssMb: after / 1024 / 1024 }
}

async function main(): Promise<void> {
  if (!redisServerAvailable()) throw new Error('redis-server is not installed (apt-get install -y redis-server)')
  const targets = [await startRedisTarget(), await startRedsim()]
  try {
    console.log(
      `bench:server${quick ? ' (quick)' : ''}: redis-server pid ${targets[0].pid}, redsim pid ${targets[1].pid}`,
    )

    console.log(`\nMemory per key (redis-benchmark -t set -n ${MEMORY_KEYS} -r ${MEMORY_KEYS} -P 16)`)
    for (const t of targets) {
      const m = await memoryPerKey(t)
      console.log(
        `  ${t.name.padEnd(7)} ${fmt(m.keys)} keys, RSS ${m.rssMb.toFixed(1)} MB, ${fmt(m.bytesPerKey)} bytes/key`,
      )
      await call(t.port, 'FLUSHALL')
    }

    const modes = [
      { label: '-c 50', args: ['-c', '50', '-n', String(THROUGHPUT_REQUESTS)] },
      { label: '-c 50 -P 16', args: ['-c', '50', '-P', '16', '-n', String(PIPELINED_REQUESTS)] },
    ]
    const tests = ['SET', 'GET', 'INCR']
    console.log(`\nThroughput (requests per second, median of ${ROUNDS} alternating round${ROUNDS > 1 ? 's' : ''})`)
    console.log(`  ${'test'.padEnd(18)} ${'redis'.padStart(10)} ${'redsim'.padStart(10)}  redsim/redis`)
    for (const mode of modes) {
      const samples = new Map<string, Map<string, number[]>>()
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which server goes first so drifting load does not favour one of them.
        const order = round % 2 === 0 ? targets : [...targets].reverse()
        for (const t of order) {
          const rps = await redisBenchmark(t.port, [...mode.args, '-t', tests.join(',').toLowerCase()])
          for (const test of tests) {
            const byTarget = samples.get(test) ?? new Map<string, number[]>()
            samples.set(test, byTarget)
            const list = byTarget.get(t.name) ?? []
            byTarget.set(t.name, list)
            list.push(rps.get(test) ?? 0)
          }
        }
      }
      for (const test of tests) {
        const redis = median(samples.get(test)?.get('redis') ?? [0])
        const redsim = median(samples.get(test)?.get('redsim') ?? [0])
        const label = `${test} ${mode.label}`
        console.log(
          `  ${label.padEnd(18)} ${fmt(redis).padStart(10)} ${fmt(redsim).padStart(10)}  ${(redsim / redis).toFixed(2)}`,
        )
      }
    }
  } finally {
    await Promise.all(targets.map((t) => t.stop()))
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
