/**
 * One client must not be able to exhaust the JavaScript heap and so end the process, losing every client's data.
 *
 * The server runs as its own process with a deliberately small heap (--max-old-space-size=256), and each bomb is
 * sent to it: a multibulk declaring 22 million empty arguments (streamed, so this process never holds it), and
 * scripts building millions of small tables, in Lua code or in one cjson.decode call (Redis completes 8 million: its
 * tables are small in C; in fengari they need about 5 GB). Before the limits, each ended the process with "JavaScript
 * heap out of memory". Now the multibulk is refused at its header and its client closed, the scripts are stopped with
 * an error, and the server answers another client with its data intact.
 *
 * client-query-buffer-limit is compared with redis-server: a client whose unconsumed input passes the limit is closed
 * without a reply, with Redis's log line.
 */
import { createHash } from 'node:crypto'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import { describeDifferential } from '../differential/harness.ts'
import { RawClient } from '../differential/raw-client.ts'
import { type ServerProcess, startServerProcess } from './server-process.ts'

const HEAP_MB = 256
const BOMB_TIMEOUT = 180_000

let server: ServerProcess | null = null
let inProcess: RedsimServer | null = null
const clients: RawClient[] = []

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await server?.stop()
  server = null
  await inProcess?.close()
  inProcess = null
})

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port)
  clients.push(c)
  return c
}

/** A command whose reply may take long (a script building millions of tables on a loaded machine). */
async function slowCall(c: RawClient, ...args: string[]): Promise<string> {
  c.command(...args)
  return (await c.readReply(BOMB_TIMEOUT)).toString('latin1')
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex')
}

/** A small-heap server holding one key another client wrote, which every bomb must leave intact. */
async function serverWithData(): Promise<{ server: ServerProcess; keeper: RawClient }> {
  server = await startServerProcess([], { heapMb: HEAP_MB })
  const keeper = await client(server.port)
  expect(await keeper.call('SET', 'precious', 'still here')).toBe('+OK\r\n')
  return { server, keeper }
}

/** The server is alive, answers a new client, and the keeper's key and connection are intact. */
async function expectServing(s: ServerProcess, keeper: RawClient): Promise<void> {
  expect(s.alive()).toBe(true)
  const other = await client(s.port)
  expect(await other.call('PING')).toBe('+PONG\r\n')
  expect(await other.call('GET', 'precious')).toBe('$10\r\nstill here\r\n')
  expect(await keeper.call('GET', 'precious')).toBe('$10\r\nstill here\r\n')
}

/**
 * Streams `*<count+1>` PING and `count` empty bulks (6 bytes each) with backpressure, until all are sent or the
 * connection closes. Resolves with what the server sent back.
 */
function streamHugeMultibulk(port: number, count: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' })
    let received = ''
    let closed = false
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      closed = true
      resolve(received)
    })
    socket.on('connect', async () => {
      socket.write(`*${count + 1}\r\n$4\r\nPING\r\n`)
      const perChunk = 100_000
      const chunk = Buffer.from('$0\r\n\r\n'.repeat(perChunk))
      for (let sent = 0; sent < count && !closed; sent += perChunk) {
        const n = Math.min(perChunk, count - sent)
        if (!socket.write(n === perChunk ? chunk : chunk.subarray(0, n * 6))) {
          await new Promise<void>((r) => {
            socket.once('drain', r)
            socket.once('close', r)
          })
        }
      }
      // Everything was sent: the server replies (it accepted the request), then this side closes.
      if (!closed) socket.end()
    })
  })
}

describe('heap bombs against a server with a 256 MB heap', () => {
  it(
    'a multibulk declaring 22 million arguments is refused at its header: its client is closed, everyone else served',
    async () => {
      const { server: s, keeper } = await serverWithData()
      const received = await streamHugeMultibulk(s.port, 22_000_000)
      // Closed without a reply, as Redis closes a client over client-query-buffer-limit.
      expect(received).toBe('')
      await expectServing(s, keeper)
      expect(s.stderr()).toMatch(
        /# Closing client that reached max query buffer length: id=\d+ addr=127\.0\.0\.1:\d+ .* \(multibulk length 22000001: its arguments would take about [\d.]+ MB of JavaScript heap/,
      )
    },
    BOMB_TIMEOUT,
  )

  it(
    'a script building 8 million tables is stopped with an error before the heap runs out, and the server lives',
    async () => {
      const { server: s, keeper } = await serverWithData()
      const script = 'local t = {} for i = 1, 8000000 do t[i] = {} end return #t'
      const bomber = await client(s.port)
      const reply = await slowCall(bomber, 'EVAL', script, '0')
      expect(reply).toBe(
        `-ERR Out of memory in script: stopped before the server ran out of heap. script: ${sha1(script)}, on @user_script:1.\r\n`,
      )
      await expectServing(s, keeper)
      // The Lua state is usable again, by the same client and others.
      expect(await bomber.call('EVAL', 'return 1', '0')).toBe(':1\r\n')
      expect(s.stderr()).toMatch(
        new RegExp(
          `# Lua script stopped: the JavaScript heap is nearly exhausted \\([\\d.]+ MB used, ceiling [\\d.]+ MB of a [\\d.]+ MB limit\\)\\. Script name is: ${sha1(script)}\\. It had executed no write command\\.`,
        ),
      )
    },
    BOMB_TIMEOUT,
  )

  it(
    'a script that wrote and then exhausts the heap inside pcall is still stopped; its write stays and is logged',
    async () => {
      const { server: s, keeper } = await serverWithData()
      const script =
        "redis.call('SET', 'partial', 'written') " +
        'local ok = pcall(function() local t = {} for i = 1, 8000000 do t[i] = {} end end) ' +
        "redis.call('SET', 'after', 'never') return 'swallowed'"
      const bomber = await client(s.port)
      const reply = await slowCall(bomber, 'EVAL', script, '0')
      // pcall cannot swallow the stop: the error is raised again at every instruction, as SCRIPT KILL's is.
      expect(reply).toMatch(
        new RegExp(
          `^-ERR Out of memory in script: stopped before the server ran out of heap\\. script: ${sha1(script)}, on @user_script:1\\.\\r\\n$`,
        ),
      )
      await expectServing(s, keeper)
      // No rollback (there is none in Redis either): the write before the stop stays, the one after never ran.
      expect(await keeper.call('GET', 'partial')).toBe('$7\r\nwritten\r\n')
      expect(await keeper.call('EXISTS', 'after')).toBe(':0\r\n')
      expect(s.stderr()).toMatch(
        /Lua script stopped: .* It had already executed write commands: those stay applied, so its effects on the dataset may be partial\./,
      )
    },
    BOMB_TIMEOUT,
  )

  it(
    'one cjson.decode building 3 million tables, with no Lua instruction in between, is stopped inside the call',
    async () => {
      const { server: s, keeper } = await serverWithData()
      const script = 'local t = cjson.decode(ARGV[1]) return #t'
      const json = `[${'{},'.repeat(3_000_000)}{}]`
      const bomber = await client(s.port)
      const reply = await slowCall(bomber, 'EVAL', script, '0', json)
      expect(reply).toBe(
        `-ERR Out of memory in script: stopped before the server ran out of heap. script: ${sha1(script)}, on @user_script:1.\r\n`,
      )
      await expectServing(s, keeper)
    },
    BOMB_TIMEOUT,
  )
})

/** Sends SET k <3 MB> in 64 KB chunks until the server closes the connection; resolves with what it sent back. */
async function sendOverQueryLimit(c: RawClient): Promise<string> {
  c.send(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${3 * 1024 * 1024}\r\n`)
  const chunk = Buffer.alloc(64 * 1024, 'x')
  let closed = false
  void c.closed.then(() => {
    closed = true
  })
  for (let i = 0; i < 48 && !closed; i++) {
    c.send(chunk)
    await new Promise((r) => setImmediate(r))
  }
  return (await c.readUntilClose(10_000)).toString('latin1')
}

describe('client-query-buffer-limit', () => {
  it("closes a client whose unconsumed input passes the limit, with Redis's log line, and serves the others", async () => {
    const logger = memoryLogger()
    inProcess = await createServer({ port: 0, logger })
    const keeper = await client(inProcess.port)
    expect(await keeper.call('SET', 'precious', 'still here')).toBe('+OK\r\n')
    expect(await keeper.call('CONFIG', 'GET', 'client-query-buffer-limit')).toBe(
      '*2\r\n$25\r\nclient-query-buffer-limit\r\n$10\r\n1073741824\r\n',
    )
    expect(await keeper.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb')).toBe('+OK\r\n')
    const sender = await client(inProcess.port)
    expect(await sendOverQueryLimit(sender)).toBe('')
    const line = logger.lines.find((l) => l.message.startsWith('Closing client that reached max query buffer length'))
    expect(line?.level).toBe('warning')
    expect(line?.message).toMatch(
      /^Closing client that reached max query buffer length: id=\d+ addr=127\.0\.0\.1:\d+ .* \(qbuf initial bytes: "x{64}"\)$/,
    )
    expect(await keeper.call('GET', 'precious')).toBe('$10\r\nstill here\r\n')
    expect(await keeper.call('EXISTS', 'k')).toBe(':0\r\n')
  })
})

describeDifferential('client-query-buffer-limit against redis-server', (pair) => {
  it('the same replies and the same close, byte for byte', async () => {
    const outcomes: string[][] = []
    for (const port of [pair().expectedPort, pair().actualPort]) {
      const admin = await client(port)
      const seen = [
        await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1000'),
        await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb'),
        await admin.call('CONFIG', 'GET', 'client-query-buffer-limit'),
      ]
      seen.push(await sendOverQueryLimit(await client(port)))
      seen.push(await admin.call('EXISTS', 'k'))
      seen.push(await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb'))
      outcomes.push(seen)
    }
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(outcomes[0][3]).toBe('')
  })
})
