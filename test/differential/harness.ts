/**
 * Differential testing against a real redis-server: the same raw command sequence goes to Redis 7.0 and to redsim,
 * and the raw reply bytes must be identical. Redis is the spec, so any difference is a redsim bug (or a case that
 * is not deterministic and must not be in a suite).
 *
 * redis-server runs as a child process on a free loopback port, without persistence; redsim runs in-process on
 * port 0. When redis-server is not installed the suites are skipped with a loud warning, except under CI (env CI
 * set), where a missing redis-server is a failure.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import { type Arg, encodeCommand, RawClient, replyEnd } from './raw-client.ts'
import { REDIS_SERVER, redisServerAvailable, startRedis } from './redis-process.ts'

/** One step of a sequence: a command (or raw bytes) sent on one of the sequence's connections. */
export interface Step {
  /** The command's arguments, sent as a multibulk. */
  args?: Arg[]
  /** Raw bytes to send instead (inline commands, malformed input). */
  raw?: Buffer | string
  /** Which connection sends it (default 0). */
  client?: number
  /** Replies to expect for a raw step (default 1); 'close' reads everything until the server closes. */
  replies?: number | 'close'
  /** The reply is an array whose element order Redis does not define: compare as a multiset. */
  unordered?: boolean
  /** Rewrites reply text before comparing, for values that legitimately differ (e.g. a TTL's exact second). */
  normalize?: (reply: string) => string
  /**
   * A SCAN-family command (`args[cursorArg]` is the cursor): the step iterates until the cursor comes back as 0 and
   * its reply is the set of everything returned (`pairs`: field/value or member/score pairs), since cursors and
   * page contents are the implementation's own business. An error on the first call is the reply.
   */
  scan?: { cursorArg: number; pairs: boolean }
  /**
   * A command that may block (BLPOP...): sent without reading its reply, the step then waits until the server
   * reports one more blocked client or the reply has arrived, so later steps on other connections certainly come
   * after it. A later `collectBlocked` step on the same client collects its reply.
   */
  awaitBlocked?: boolean
  /**
   * Collects the reply of this client's `awaitBlocked` command: if it is still blocked, CLIENT UNBLOCK (from a
   * connection outside the sequence) ends it as a timeout first. Whether it was still blocked is the server's state
   * after the previous steps, so this is deterministic, unlike waiting for a timeout.
   */
  collectBlocked?: boolean
}

export type StepInput = Step | string | Arg[]

/** "SET k v" -> ['SET','k','v'] (no quoting: use an array for arguments with spaces). */
export function toStep(input: StepInput): Step {
  if (typeof input === 'string') return { args: input.split(' ').filter((w) => w.length > 0) }
  if (Array.isArray(input)) return { args: input }
  return input
}

/** How a step is shown in a transcript: redis-cli style, with non-printable bytes escaped. */
export function describeStep(step: Step): string {
  const who = step.client ? `[client ${step.client}] ` : ''
  if (step.collectBlocked) return `${who}(reply of its blocking command; CLIENT UNBLOCK if still blocked)`
  if (step.awaitBlocked) return `${who}${(step.args ?? []).map((a) => quoteArg(a)).join(' ')}  (may block)`
  if (step.raw !== undefined) {
    const raw = typeof step.raw === 'string' ? step.raw : step.raw.toString('latin1')
    return `${who}raw ${JSON.stringify(raw.length > 200 ? `${raw.slice(0, 200)}...(${raw.length} bytes)` : raw)}`
  }
  return `${who}${(step.args ?? []).map((a) => quoteArg(a)).join(' ')}`
}

function quoteArg(a: Arg): string {
  const s = Buffer.isBuffer(a) ? a.toString('latin1') : String(a)
  if (s.length > 0 && /^[\x21-\x7e]+$/.test(s) && !s.includes('"')) return s.length > 80 ? `${s.slice(0, 80)}...` : s
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}...` : s)
}

/** Splits the raw bytes of an array reply into the raw bytes of its elements (for order-insensitive compare). */
function sortedElements(reply: Buffer): string {
  const text = reply.toString('latin1')
  const header = text.slice(0, text.indexOf('\r\n') + 2)
  if (!/^[*~]\d+\r\n$/.test(header)) return text
  const elements: string[] = []
  let pos = header.length
  while (pos < reply.length) {
    const end = replyEnd(reply, pos)
    elements.push(reply.toString('latin1', pos, end))
    pos = end
  }
  return header + elements.sort().join('')
}

/**
 * The elements of an aggregate reply's raw bytes (RESP2 array, RESP3 set, push or map: a map's keys and values
 * alternate), each as its raw reply text.
 */
export function arrayElements(reply: Buffer): string[] | null {
  const lineEnd = reply.indexOf('\r\n')
  if (lineEnd < 0 || !'*~>%'.includes(String.fromCharCode(reply[0]))) return null
  const count = Number(reply.toString('latin1', 1, lineEnd)) * (reply[0] === 0x25 ? 2 : 1)
  if (!(count >= 0)) return null
  const elements: string[] = []
  let pos = lineEnd + 2
  for (let i = 0; i < count; i++) {
    const end = replyEnd(reply, pos)
    elements.push(reply.toString('latin1', pos, end))
    pos = end
  }
  return elements
}

/** Most pages a full SCAN may take before the step fails (a cursor that never returns to 0). */
const MAX_SCAN_PAGES = 10_000

/** Runs a SCAN-family command from cursor 0 to the end; the reply is `*2 0 [sorted distinct elements]`. */
async function fullScan(c: RawClient, args: Arg[], scan: { cursorArg: number; pairs: boolean }): Promise<string> {
  const seen = new Set<string>()
  let cursor = '0'
  for (let page = 0; page < MAX_SCAN_PAGES; page++) {
    const pageArgs = args.slice()
    pageArgs[scan.cursorArg] = cursor
    c.send(encodeCommand(pageArgs))
    const reply = await c.readReply()
    const outer = arrayElements(reply)
    if (outer?.length !== 2) return reply.toString('latin1')
    const items = arrayElements(Buffer.from(outer[1], 'latin1'))
    if (!items) return reply.toString('latin1')
    const step = scan.pairs ? 2 : 1
    for (let i = 0; i < items.length; i += step) seen.add(items.slice(i, i + step).join(''))
    cursor = Buffer.from(outer[0], 'latin1').toString('latin1').split('\r\n')[1]
    if (cursor === '0') {
      const sorted = [...seen].sort()
      return `*2\r\n$1\r\n0\r\n*${sorted.length * step}\r\n${sorted.join('')}`
    }
  }
  throw new Error(`${args.join(' ')}: the cursor did not come back to 0 within ${MAX_SCAN_PAGES} pages`)
}

export interface Transcript {
  lines: string[]
  mismatch: string | null
}

/** INFO's blocked_clients. */
async function blockedClients(side: RawClient): Promise<number> {
  const info = await side.call('INFO', 'clients')
  const match = /blocked_clients:(\d+)/.exec(info)
  if (!match) throw new Error(`INFO clients has no blocked_clients: ${JSON.stringify(info)}`)
  return Number(match[1])
}

/** Sends a command that may block and waits until it is blocked or has answered. */
async function sendMayBlock(c: RawClient, side: RawClient, args: Arg[]): Promise<void> {
  const before = await blockedClients(side)
  c.send(encodeCommand(args))
  for (let i = 0; i < 2000; i++) {
    if (c.hasReply() || (await blockedClients(side)) > before) return
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  throw new Error(`${args.join(' ')}: neither blocked nor answered`)
}

/** Runs steps against one server on fresh connections and returns the reply of each step as text. */
async function runOn(port: number, steps: Step[]): Promise<string[]> {
  const connections = new Map<number, RawClient>()
  const out: string[] = []
  /** A connection outside the sequence, for INFO while a sequence client blocks. */
  let side: RawClient | null = null
  /** CLIENT ID of the connections that sent a blocking command. */
  const ids = new Map<number, string>()
  try {
    for (const step of steps) {
      const id = step.client ?? 0
      let c = connections.get(id)
      if (!c) {
        c = await RawClient.connect(port)
        connections.set(id, c)
      }
      if (step.awaitBlocked && step.args) {
        side ??= await RawClient.connect(port)
        if (!ids.has(id)) ids.set(id, (await c.call('CLIENT', 'ID')).slice(1, -2))
        await sendMayBlock(c, side, step.args)
        out.push('')
        continue
      }
      if (step.collectBlocked) {
        side ??= await RawClient.connect(port)
        await side.call('CLIENT', 'UNBLOCK', ids.get(id) ?? '-1', 'TIMEOUT')
        out.push((await c.readReply()).toString('latin1'))
        continue
      }
      if (step.scan && step.args) {
        out.push(await fullScan(c, step.args, step.scan))
        continue
      }
      if (step.raw !== undefined) c.send(step.raw)
      else c.send(encodeCommand(step.args ?? []))
      const count = step.replies ?? 1
      let reply: Buffer
      if (count === 'close') {
        reply = await c.readUntilClose()
      } else {
        const parts: Buffer[] = []
        for (let i = 0; i < count; i++) parts.push(await c.readReply())
        reply = Buffer.concat(parts)
      }
      let text = step.unordered ? sortedElements(reply) : reply.toString('latin1')
      if (step.normalize) text = step.normalize(text)
      out.push(text)
    }
  } finally {
    for (const c of connections.values()) c.close()
    side?.close()
  }
  return out
}

/** A running pair: redis-server (the expected side) and redsim (the actual side), ready to compare sequences. */
export class DifferentialPair {
  private constructor(
    readonly expectedPort: number,
    readonly actualPort: number,
    private readonly stopAll: () => Promise<void>,
    /** The redsim server, when the actual side is redsim. */
    readonly redsim: RedsimServer | null,
  ) {}

  static async start(): Promise<DifferentialPair> {
    const redis = await startRedis()
    const redsim = await createServer({ port: 0, logger: memoryLogger() })
    return new DifferentialPair(
      redis.port,
      redsim.port,
      async () => {
        await Promise.all([redis.stop(), redsim.close()])
      },
      redsim,
    )
  }

  /** Two redis-servers: checks the harness and the generators themselves (any difference means nondeterminism). */
  static async startRedisAgainstRedis(): Promise<DifferentialPair> {
    const a = await startRedis()
    const b = await startRedis()
    return new DifferentialPair(
      a.port,
      b.port,
      async () => {
        await Promise.all([a.stop(), b.stop()])
      },
      null,
    )
  }

  stop(): Promise<void> {
    return this.stopAll()
  }

  /** Empties both servers (all databases) so every sequence starts from the same state. */
  async reset(): Promise<void> {
    for (const port of [this.expectedPort, this.actualPort]) {
      const c = await RawClient.connect(port)
      try {
        const reply = await c.call('FLUSHALL')
        if (reply !== '+OK\r\n') throw new Error(`FLUSHALL on port ${port} replied ${JSON.stringify(reply)}`)
      } finally {
        c.close()
      }
    }
  }

  /**
   * Runs `steps` on both servers from empty databases and returns the transcript: each step with Redis's reply,
   * and the first step whose replies differ, described with both replies.
   */
  async compare(inputs: StepInput[]): Promise<Transcript> {
    const steps = inputs.map(toStep)
    await this.reset()
    const expected = await runOn(this.expectedPort, steps)
    const actual = await runOn(this.actualPort, steps)
    const lines: string[] = []
    for (let i = 0; i < steps.length; i++) {
      lines.push(`${describeStep(steps[i])}  ->  ${JSON.stringify(expected[i])}`)
      if (expected[i] !== actual[i]) {
        const mismatch = [
          `step ${i + 1}: ${describeStep(steps[i])}`,
          `  redis:  ${JSON.stringify(expected[i])}`,
          `  redsim: ${JSON.stringify(actual[i])}`,
        ].join('\n')
        return { lines, mismatch }
      }
    }
    return { lines, mismatch: null }
  }

  /** Like compare, but throws with the whole transcript when the servers differ. */
  async expectSame(inputs: StepInput[]): Promise<void> {
    const { lines, mismatch } = await this.compare(inputs)
    if (mismatch) throw new Error(`redsim differs from redis-server\n${mismatch}\n\nsequence:\n  ${lines.join('\n  ')}`)
  }
}

/**
 * Declares a differential suite: starts the pair before the suite and stops it after. `body` gets an accessor for
 * the running pair. Without redis-server: skipped with a warning banner, or failing when CI is set.
 */
export function describeDifferential(
  name: string,
  body: (pair: () => DifferentialPair) => void,
  start: () => Promise<DifferentialPair> = () => DifferentialPair.start(),
): void {
  const available = redisServerAvailable()
  if (!available && process.env.CI) {
    describe(name, () => {
      it('needs redis-server (CI is set, so its absence is a failure)', () => {
        throw new Error(`${REDIS_SERVER} is not installed; install redis-server (apt-get install -y redis-server)`)
      })
    })
    return
  }
  if (!available) {
    console.warn(
      [
        '',
        '#'.repeat(78),
        `#  WARNING: ${REDIS_SERVER} not found: differential suite "${name}" is SKIPPED.`,
        '#  Install it (apt-get install -y redis-server) to compare redsim with Redis.',
        '#'.repeat(78),
        '',
      ].join('\n'),
    )
  }
  describe.skipIf(!available)(name, () => {
    let pair: DifferentialPair | undefined
    beforeAll(async () => {
      pair = await start()
    })
    afterAll(async () => {
      await pair?.stop()
    })
    body(() => {
      if (!pair) throw new Error('differential pair not started')
      return pair
    })
  })
}

/** Registers one `it` per named case, each comparing its sequence. */
export function differentialCases(pair: () => DifferentialPair, cases: Record<string, StepInput[]>): void {
  for (const [name, steps] of Object.entries(cases)) {
    it(name, async () => {
      await pair().expectSame(steps)
    })
  }
}
