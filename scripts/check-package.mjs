// The package as a user gets it: `npm pack`, install the tarball into a fresh temporary project, and check that
// (a) plain Node imports every entry point and a server started from it answers PING, (b) a strict TypeScript consumer
// type-checks a file that uses each entry point, (c) a failing simulationTest on ioredis fails vitest with a replay
// command that replays it, (d) the `redsim` command runs the simulator and the server, and (e) the
// tarball holds no tests, benches or CI files. Prints one line per check and ends with "N passed, N failed"; exits 1
// when any check failed. Run by .ci/run; takes well under a minute (the install needs the npm registry).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'redsim-package-'))
const results = []

async function check(name, run) {
  try {
    await run()
    results.push(true)
    process.stdout.write(`ok   ${name}\n`)
  } catch (err) {
    results.push(false)
    process.stdout.write(`FAIL ${name}\n${String(err?.stack ?? err).replace(/^/gm, '     ')}\n`)
  }
}

/** `name@version` as this checkout has it installed, so the fresh project gets the versions redsim is tested with. */
function installed(name) {
  return `${name}@${JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version}`
}

function sh(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 })
}

/** Resolves with the first line the server sends back to PING on `port`. */
function ping(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer to PING')))
    socket.once('data', (d) => {
      socket.destroy()
      resolve(d.toString())
    })
    socket.once('error', reject)
  })
}

try {
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], root))[0]
  const tarball = join(work, packed.filename)
  const app = join(work, 'app')
  sh('mkdir', ['-p', app])
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  // The optional peers a user of `simulate` and redsim/vitest brings: a client library, vitest and fast-check.
  const peers = ['ioredis', 'vitest', 'fast-check'].map(installed)
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, '@types/node@20', ...peers], app)

  await check('the tarball holds the build, the fixtures the simulator loads, bin, README and LICENSE only', () => {
    const files = packed.files.map((f) => f.path)
    const stray = files.filter(
      (f) =>
        !/^(dist\/(src|sim|cli|fixtures\/(scripts|workloads))\/|bin\/redsim\.js$|README\.md$|LICENSE$|package\.json$)/.test(
          f,
        ),
    )
    if (stray.length > 0) throw new Error(`unexpected files: ${stray.join(', ')}`)
    const tests = files.filter((f) => /\.test\.|(^|\/)(test|bench|properties|\.ci)\//.test(f))
    if (tests.length > 0) throw new Error(`test files packed: ${tests.join(', ')}`)
  })

  await check('plain Node imports every entry point; a server started from it answers PING', async () => {
    writeFileSync(
      join(app, 'smoke.mjs'),
      `import { createServer, Engine, LocalConnection } from 'redsim'
import { runSeed, DEFAULT_CONFIG } from 'redsim/sim'
import { checkLinearizability } from 'redsim/linearizability'
import { simulationTest, simulationProperty, checkSimulation } from 'redsim/vitest'
if (typeof checkLinearizability !== 'function') throw new Error('redsim/linearizability: no checker')
for (const f of [simulationTest, simulationProperty, checkSimulation]) {
  if (typeof f !== 'function') throw new Error('redsim/vitest: missing an export')
}
const conn = new LocalConnection(new Engine({ logger: () => {} }))
const reply = await conn.call('SET', 'k', 'v')
if (String(reply.value ?? reply) !== 'OK') throw new Error('in-process SET: ' + String(reply))
const result = await runSeed({ ...DEFAULT_CONFIG, seed: 1 })
if (result.verdict !== 'pass') throw new Error('seed 1: ' + result.verdict)
const server = await createServer({ port: 0, logger: () => {} })
const net = await import('node:net')
const pong = await new Promise((resolve, reject) => {
  const socket = net.connect(server.port, '127.0.0.1', () => socket.write('PING\\r\\n'))
  socket.once('data', (d) => { socket.destroy(); resolve(d.toString()) })
  socket.once('error', reject)
})
await server.close()
if (pong !== '+PONG\\r\\n') throw new Error('PING answered ' + JSON.stringify(pong))
console.log(server.port)
`,
    )
    const port = Number(sh('node', ['smoke.mjs'], app).trim().split('\n').at(-1))
    if (!(port > 0)) throw new Error('no port printed')
  })

  await check('a strict TypeScript consumer type-checks every entry point', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { createServer, Engine, LocalConnection, type RedsimServer } from 'redsim'
import { runSeed, DEFAULT_CONFIG, type SeedResult } from 'redsim/sim'
import { checkLinearizability, type History, type Model } from 'redsim/linearizability'
import { simulationTest, simulationProperty, checkSimulation, type SimulateOptions } from 'redsim/vitest'
import type { Redis } from 'ioredis'
import fc from 'fast-check'
const server: Promise<RedsimServer> = createServer({ port: 0 })
const counter: SimulateOptions<Redis> = {
  clients: 2,
  client: async (redis, ctx) => {
    await redis.incrby('n', ctx.client)
  },
  check: async (redis) => (await redis.get('n')) === '3',
}
export function register(): void {
  simulationTest('counter', counter, 60_000)
  void checkSimulation({ ...counter, runs: 1 })
  void fc.assert(simulationProperty(fc.integer({ min: 1, max: 3 }), (n: number) => ({ ...counter, clients: n })))
}
const conn = new LocalConnection(new Engine())
const seed: Promise<SeedResult> = runSeed({ ...DEFAULT_CONFIG, seed: 1 })
const history: History = []
type Counter = Model<number, string, number>
export { server, conn, seed, history, checkLinearizability }
export type { Counter }
`,
    )
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    )
    sh(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], app)
  })

  await check(
    'a failing simulationTest on ioredis fails vitest with a replay command that replays it as printed',
    () => {
      writeFileSync(
        join(app, 'counter.test.ts'),
        `import type { Redis } from 'ioredis'
import { simulationTest } from 'redsim/vitest'

simulationTest('read, add one, write back', {
  clients: 3,
  runs: 50,
  setup: async (redis: Redis) => {
    await redis.set('n', '0')
  },
  client: async (redis: Redis) => {
    const v = Number(await redis.get('n'))
    await redis.set('n', String(v + 1))
  },
  check: async (redis: Redis, ctx) => {
    const n = await redis.get('n')
    if (n !== String(ctx.clients)) throw new Error('lost update: n = ' + n)
  },
}, 60_000)
`,
      )
      const vitest = (args, env = {}) => {
        const run = spawnSync(join(app, 'node_modules', '.bin', 'vitest'), ['run', ...args], {
          cwd: app,
          encoding: 'utf8',
          timeout: 180_000,
          env: { ...process.env, ...env, CI: 'true', NO_COLOR: '1' },
        })
        return { status: run.status, output: `${run.stdout}\n${run.stderr}` }
      }
      const first = vitest(['counter.test.ts'])
      if (first.status !== 1 || !first.output.includes('lost update: n = ')) throw new Error(first.output)
      const m = /reproduce \(trace hash ([0-9a-f]{16})\): REDSIM_REPLAY=(\S+) npx vitest run (\S+) -t '([^']+)'$/m.exec(
        first.output,
      )
      if (!m) throw new Error(`no replay command in:\n${first.output}`)
      const [, hash, report, file, pattern] = m
      if (!existsSync(join(app, report)) || !existsSync(join(app, report.replace(/\.json$/, '.html')))) {
        throw new Error(`report ${report} (and .html) not written`)
      }
      const again = vitest([file, '-t', pattern], { REDSIM_REPLAY: report })
      if (again.status !== 1 || !again.output.includes(`replayed ${report}`) || !again.output.includes(hash)) {
        throw new Error(`replay:\n${again.output}`)
      }
    },
  )

  await check('`redsim sim --seed 1` passes', () => {
    const out = sh(
      join(app, 'node_modules', '.bin', 'redsim'),
      ['sim', '--seed', '1', '--report-dir', join(work, 'r')],
      app,
    )
    if (!/passed 1 · violations 0|verdict pass/.test(out)) throw new Error(out)
  })

  await check('`redsim server --port 0` serves PING and stops on SIGTERM', async () => {
    const child = spawn(join(app, 'node_modules', '.bin', 'redsim'), ['server', '--port', '0'], {
      cwd: app,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    try {
      const port = await new Promise((resolve, reject) => {
        let err = ''
        child.stderr.on('data', (d) => {
          err += d
          const m = /ready to accept connections tcp on [^\s]+:(\d+)/.exec(err)
          if (m) resolve(Number(m[1]))
        })
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)))
      })
      const answer = await ping(port)
      if (answer !== '+PONG\r\n') throw new Error(`PING answered ${JSON.stringify(answer)}`)
    } finally {
      // Wait for it to go: a server still shutting down writes into the project while it is being removed.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
      }
    }
  })
} catch (err) {
  results.push(false)
  process.stdout.write(`FAIL packing or installing\n${String(err?.stderr ?? err?.stack ?? err)}\n`)
} finally {
  rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
}

const passed = results.filter(Boolean).length
const failed = results.length - passed
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exitCode = failed > 0 ? 1 : 0
