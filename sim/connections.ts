/**
 * How a simulated client reaches the server. Swarm workloads draw one of three ways per client:
 *   direct  the client calls the executor with one command at a time (most runs: the cheapest way to interleave)
 *   local   the in-process `LocalConnection`, several commands pipelined through its ordering queue
 *   resp    RESP bytes over an in-memory wire into the real `RespConnection` (parser, one-command-at-a-time pump,
 *           encoder), with several commands pipelined; the bytes travel in chunks, and each chunk's delivery is a
 *           scheduling decision, so a command can arrive whole, split, or behind others, at any point of the run
 *
 * Between a pipelining connection and the executor sits a tap that sees the server side: which command ran, when, and
 * what it replied. It gives the recorder each command as the server starts it (a pipelined command is sent long before
 * it runs), and it checks the connection's promises: commands run in the order they were sent, one at a time (none
 * starts while the previous one, blocked or waiting for the lock, has not replied), and each reply reaches the client
 * in that same order, byte for byte as the encoder writes it. A breach is kept for the connection-order checker.
 */
import type seedrandom from 'seedrandom'
import type { Client } from '../src/engine/client.ts'
import type { Engine } from '../src/engine/engine.ts'
import { ReplyWriter } from '../src/protocol/resp-encoder.ts'
import type { Reply } from '../src/protocol/reply.ts'
import { LocalConnection, toArgv } from '../src/server/local-connection.ts'
import { type ByteStream, RespConnection } from '../src/server/resp-connection.ts'
import type { HistoryCall, Recorder, ServerCall } from './recorder.ts'
import type { Scheduler, SimActor } from './scheduler.ts'
import type { TraceHash } from './trace-hash.ts'

export type ConnectionKind = 'direct' | 'local' | 'resp'

/** Marker for a reply the client never received. */
export const LOST: unique symbol = Symbol('lost')
export type Outcome = Reply | typeof LOST

/** One command a pipelining client sent, as the tap matches it to what the server runs. */
export interface Sent {
  readonly argv: string[]
  /**
   * The history operation it belongs to; -1 until the client counts the operation invoked, which is when the reply
   * before it arrived (a connection runs nothing of an operation before then).
   */
  op: number
  readonly call: HistoryCall
  /** Called once its reply arrived (not when it is lost: then nothing after it runs), in order. */
  received?: (reply: Reply) => void
  /** Called once its last byte reached the server's connection (at once for an in-process connection). */
  arrived?: () => void
}

/** A broken promise of a connection, for the connection-order checker. */
export interface ConnectionBreach {
  client: number
  op: number
  message: string
}

export type ExecuteFn = (client: Client, argv: Buffer[]) => Reply | Promise<Reply>

/**
 * Puts the taps between the engine's connections and its executor: a connection with a tap has its executor calls go
 * through it, every other (direct clients, setup, CLIENT UNBLOCK) straight to the executor.
 */
export function installTaps(engine: Engine, taps: ReadonlyMap<number, ConnectionTap>): void {
  const executor = engine.executor
  const run: ExecuteFn = executor.execute.bind(executor)
  executor.execute = (client, argv) => {
    const tap = taps.get(client.id)
    return tap ? tap.execute(run, client, argv) : run(client, argv)
  }
}

interface Ran {
  sent: Sent
  reply: Reply
  protocol: 2 | 3
}

function quote(argv: readonly string[]): string {
  const text = argv.join(' ')
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** The server side of one pipelining connection, between the connection and the executor. */
export class ConnectionTap {
  /** Sent and not yet started by the server, in the order sent. */
  private readonly queued: Sent[] = []
  private queuedHead = 0
  /** Replied by the server and not yet received by the client, in the order replied. */
  private readonly replied: Ran[] = []
  private repliedHead = 0
  /** The command the server is running now. */
  private running: Sent | null = null
  /** Called after each command settles (the RESP transport checks whether the connection closed under it). */
  afterSettle: (() => void) | null = null

  constructor(
    private readonly recorder: Recorder,
    private readonly hash: TraceHash,
  ) {}

  get busy(): boolean {
    return this.running !== null
  }

  send(sent: Sent): void {
    this.queued.push(sent)
  }

  /** The executor call the connection makes (`run` is the executor's own `execute`). */
  execute(run: ExecuteFn, client: Client, argv: Buffer[]): Reply | Promise<Reply> {
    const sent = this.queuedHead < this.queued.length ? this.queued[this.queuedHead++] : undefined
    const text = argv.map((a) => a.toString('utf8'))
    if (!sent) this.breach(client.id, -1, `ran \`${quote(text)}\`, which the client never sent`)
    else if (sent.argv.length !== text.length || sent.argv.some((a, i) => a !== text[i])) {
      this.breach(client.id, sent.op, `ran \`${quote(text)}\` where \`${quote(sent.argv)}\` was next in the order sent`)
    }
    if (this.running) {
      this.breach(
        client.id,
        sent?.op ?? -1,
        `started \`${quote(text)}\` while \`${quote(this.running.argv)}\` of the same connection had not replied`,
      )
    }
    const current = sent ?? { argv: text, op: -1, call: { argv: text } }
    this.running = current
    const server = this.recorder.startCall(client.id, current.op, current.argv)
    const reply = run(client, argv)
    if (reply instanceof Promise) return reply.then((settled) => this.settled(client, current, server, settled))
    return this.settled(client, current, server, reply)
  }

  private settled(client: Client, sent: Sent, server: ServerCall, reply: Reply): Reply {
    if (this.running === sent) this.running = null
    server.reply = reply
    this.hash.reply(client.id, reply)
    this.replied.push({ sent, reply, protocol: client.protocol })
    this.afterSettle?.()
    return reply
  }

  /**
   * The client received its next reply, for `sent`: the reply the server gave it, checked to be for that command (and,
   * given `bytes`, to be exactly what the encoder writes for it), or LOST when the server never replied to it.
   */
  received(client: number, sent: Sent, bytes?: Buffer, reply?: Reply): Outcome {
    const ran = this.repliedHead < this.replied.length ? this.replied[this.repliedHead++] : undefined
    if (!ran) {
      this.breach(client, sent.op, `a reply arrived for \`${quote(sent.argv)}\`, which the server has not answered`)
      return LOST
    }
    if (ran.sent !== sent) {
      this.breach(client, sent.op, `the reply to \`${quote(ran.sent.argv)}\` came back as \`${quote(sent.argv)}\`'s`)
    } else if (reply !== undefined && reply !== ran.reply) {
      this.breach(client, sent.op, `\`${quote(sent.argv)}\` got a reply the server did not give it`)
    } else if (bytes !== undefined) {
      const writer = new ReplyWriter()
      writer.write(ran.reply, ran.protocol)
      if (!writer.take().equals(bytes)) {
        this.breach(client, sent.op, `the reply bytes of \`${quote(sent.argv)}\` are not what the server encoded`)
      }
    }
    return ran.reply
  }

  private breach(client: number, op: number, message: string): void {
    this.recorder.connectionBreaches.push({ client, op, message })
  }
}

/** A command in RESP's request form: an array of bulk strings. */
export function encodeCommand(argv: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`, 'latin1')]
  for (const arg of argv) {
    const bytes = Buffer.from(arg, 'utf8')
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'))
  }
  return Buffer.concat(parts)
}

/**
 * Where the RESP2/RESP3 reply starting at `at` ends, or -1 when it is not complete yet. It only finds frame boundaries
 * (the content is checked against the server's own encoding), so it is the small part of a client's parser needed here.
 */
export function replyFrameEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1
  const lineEnd = buf.indexOf('\r\n', at, 'latin1')
  if (lineEnd < 0) return -1
  const next = lineEnd + 2
  const type = String.fromCharCode(buf[at])
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return next
    case '$':
    case '!':
    case '=': {
      const n = Number(buf.toString('latin1', at + 1, lineEnd))
      if (n < 0) return next
      return next + n + 2 <= buf.length ? next + n + 2 : -1
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(buf.toString('latin1', at + 1, lineEnd))
      if (n < 0) return next
      if (type === '%' || type === '|') n *= 2
      let pos = next
      for (let i = 0; i < n && pos >= 0; i++) pos = replyFrameEnd(buf, pos)
      // An attribute map comes before the reply it annotates.
      return type === '|' && pos >= 0 ? replyFrameEnd(buf, pos) : pos
    }
    default:
      throw new Error(`not a RESP reply: byte ${buf[at]} at ${at}`)
  }
}

interface Chunk {
  bytes: Buffer
  midCommand: boolean
  /** Offset in its batch where it ends. */
  end: number
}

const EMPTY_CHUNK: Chunk = { bytes: Buffer.alloc(0), midCommand: false, end: 0 }

interface StreamListeners {
  data?: (chunk: Buffer) => void
  close?: () => void
}

/**
 * The in-memory wire of one RESP connection, as the server's `ByteStream`: bytes the client sends wait in chunks until
 * the scheduler delivers them; what the server writes reaches the client at once (the client's reading is not what is
 * under test; the order and content of what it reads is, and the tap checks both).
 */
class SimWire implements ByteStream {
  readonly remoteAddress = '127.0.0.1'
  readonly localAddress = '127.0.0.1'
  readonly localPort = 6379
  readonly writableNeedDrain = false
  readonly writableLength = 0
  private readonly listeners: StreamListeners = {}
  private readonly chunks: Chunk[] = []
  private chunkHead = 0
  closed = false

  constructor(
    readonly remotePort: number,
    private readonly toClient: (bytes: Buffer) => void,
    private readonly serverClosed: () => void,
  ) {}

  on(event: 'data', listener: (chunk: Buffer) => void): this
  on(event: 'drain' | 'end' | 'close', listener: () => void): this
  on(event: 'error', listener: (err: Error) => void): this
  on(event: string, listener: (...args: any[]) => void): this {
    if (event === 'data') this.listeners.data = listener
    else if (event === 'close') this.listeners.close = listener
    // 'end' (the client never half-closes), 'drain' (writes never back up) and 'error' (nothing fails) do not happen.
    return this
  }

  write(chunk: Buffer): boolean {
    if (!this.closed) this.toClient(chunk)
    return true
  }

  pause(): this {
    return this
  }

  resume(): this {
    return this
  }

  setNoDelay(): this {
    return this
  }

  setTimeout(): this {
    return this
  }

  end(callback?: () => void): this {
    this.destroy()
    callback?.()
    return this
  }

  /** The server closes the connection (QUIT, CLIENT KILL, a protocol error). */
  destroy(): this {
    if (this.closed) return this
    this.shut()
    this.serverClosed()
    return this
  }

  /**
   * Queues bytes from the client, cut into 1 to 4 chunks at points drawn from `prng`. `ends` are the offsets where
   * each command of the batch ends, to tell (in traces) a chunk that stops in the middle of one.
   */
  send(bytes: Buffer, ends: readonly number[], prng: seedrandom.PRNG): void {
    if (this.closed) return
    const cuts = prng.quick() < 0.3 ? 0 : 1 + Math.floor(prng.quick() * 3)
    const points: number[] = []
    for (let i = 0; i < cuts && bytes.length > 1; i++) points.push(1 + Math.floor(prng.quick() * (bytes.length - 1)))
    points.sort((a, b) => a - b)
    points.push(bytes.length)
    let from = 0
    for (const point of points) {
      if (point <= from) continue
      this.chunks.push({ bytes: bytes.subarray(from, point), midCommand: !ends.includes(point), end: point })
      from = point
    }
  }

  get pending(): boolean {
    return this.chunkHead < this.chunks.length
  }

  /** The next chunk, for traces: its size, and whether it stops in the middle of a command. */
  get next(): string {
    const chunk = this.chunks[this.chunkHead]
    return `${chunk.bytes.length} bytes${chunk.midCommand ? ', ends mid-command' : ''}`
  }

  /** Hands the next chunk to the server's connection (after telling `delivered` how far into its batch it ends). */
  deliver(delivered: (end: number) => void): void {
    const chunk = this.chunks[this.chunkHead]
    this.chunks[this.chunkHead++] = EMPTY_CHUNK
    delivered(chunk.end)
    this.listeners.data?.(chunk.bytes)
  }

  /** The client disconnects: undelivered bytes are gone, and the server sees the socket close. */
  close(): void {
    if (this.closed) return
    this.shut()
    this.listeners.close?.()
  }

  private shut(): void {
    this.closed = true
    this.chunks.length = 0
    this.chunkHead = 0
  }
}

/** What a pipelining client needs of its connection. */
export interface Pipeline {
  readonly client: Client
  readonly closed: boolean
  /** Sends the commands back to back and resolves, in order, to their replies (LOST once the connection closed). */
  roundTrip(sent: readonly Sent[]): Promise<Outcome[]>
  close(): void
}

/** Pipelining through `LocalConnection`'s queue: the server side runs in the client's own actor, one after another. */
export class LocalPipeline implements Pipeline {
  private readonly conn: LocalConnection

  constructor(
    engine: Engine,
    private readonly tap: ConnectionTap,
  ) {
    this.conn = new LocalConnection(engine, 'sim')
  }

  get client(): Client {
    return this.conn.client
  }

  get closed(): boolean {
    return this.conn.closed
  }

  roundTrip(sent: readonly Sent[]): Promise<Outcome[]> {
    for (const s of sent) this.tap.send(s)
    for (const s of sent) s.arrived?.()
    const id = this.conn.client.id
    const arrived = (s: Sent, reply: Reply): Outcome => {
      if (this.conn.closed) return LOST
      const outcome = this.tap.received(id, s, undefined, reply)
      if (outcome !== LOST) s.received?.(outcome)
      return outcome
    }
    return Promise.all(
      sent.map((s) =>
        this.conn.send(toArgv(s.argv)).then(
          (reply) => arrived(s, reply),
          (): Outcome => LOST,
        ),
      ),
    )
  }

  close(): void {
    this.conn.close()
  }
}

/**
 * Pipelining over RESP bytes. The connection is its own actor state in the scheduler (idle between commands, woken by
 * deliveries); the client's code is a second thread of it, holding a running token while it runs.
 */
export class RespPipeline implements Pipeline {
  readonly connection: RespConnection
  private readonly wire: SimWire
  actor!: SimActor
  /** Received bytes not yet making a whole reply. */
  private inbox: Buffer = Buffer.alloc(0)
  /** Sent, in order, whose replies have not arrived. */
  private awaiting: Sent[] = []
  private outcomes: Outcome[] = []
  private batchDone: ((outcomes: Outcome[]) => void) | null = null

  constructor(
    engine: Engine,
    private readonly tap: ConnectionTap,
    private readonly scheduler: Scheduler,
    private readonly prng: seedrandom.PRNG,
    port: number,
  ) {
    this.wire = new SimWire(
      port,
      (bytes) => this.fromServer(bytes),
      () => this.serverClosed(),
    )
    this.connection = new RespConnection(engine, this.wire, () => {}, {
      writeAtOnce: true,
      awaitingInput: () => this.scheduler.idle(this.actor),
    })
    tap.afterSettle = () => {
      // The connection closed under the command that just finished: nothing more of it will run.
      if (this.wire.closed) this.serverDone()
    }
  }

  get client(): Client {
    return this.connection.client
  }

  get closed(): boolean {
    return this.wire.closed
  }

  get pending(): boolean {
    return this.wire.pending
  }

  /** What the next delivery carries (for traces). */
  get nextDelivery(): string {
    return this.wire.next
  }

  /** The scheduler chose this wire's next chunk; an idle connection gets it in a microtask, outside the decision. */
  deliver(wasIdle: boolean): void {
    if (wasIdle) queueMicrotask(() => this.deliverIdle())
    else this.wire.deliver(this.delivered)
  }

  private deliverIdle(): void {
    if (this.wire.closed) {
      this.scheduler.idle(this.actor)
      return
    }
    this.wire.deliver(this.delivered)
  }

  /** The batch's bytes up to `end` reached the server: the commands ending there or before have arrived. */
  private readonly delivered = (end: number): void => {
    const { arrivals } = this
    while (this.arrivalHead < arrivals.length && arrivals[this.arrivalHead].end <= end) {
      arrivals[this.arrivalHead++].sent.arrived?.()
    }
  }

  /** The current batch's commands and where each ends in its bytes, in order; those before `arrivalHead` arrived. */
  private arrivals: Array<{ end: number; sent: Sent }> = []
  private arrivalHead = 0

  roundTrip(sent: readonly Sent[]): Promise<Outcome[]> {
    if (this.wire.closed) return Promise.resolve(sent.map((): Outcome => LOST))
    const bytes: Buffer[] = []
    const ends: number[] = []
    let length = 0
    this.arrivals = []
    this.arrivalHead = 0
    for (const s of sent) {
      this.tap.send(s)
      this.awaiting.push(s)
      const command = encodeCommand(s.argv)
      bytes.push(command)
      ends.push((length += command.length))
      this.arrivals.push({ end: length, sent: s })
    }
    this.outcomes = []
    this.wire.send(Buffer.concat(bytes), ends, this.prng)
    return new Promise<Outcome[]>((resolve) => {
      this.batchDone = resolve
      this.scheduler.clientWaits()
    })
  }

  private fromServer(bytes: Buffer): void {
    this.inbox = this.inbox.length === 0 ? bytes : Buffer.concat([this.inbox, bytes])
    for (;;) {
      const end = replyFrameEnd(this.inbox, 0)
      if (end < 0) break
      const frame = this.inbox.subarray(0, end)
      this.inbox = this.inbox.subarray(end)
      const sent = this.awaiting.shift()
      if (!sent) {
        this.tap.received(this.client.id, { argv: ['(nothing)'], op: -1, call: { argv: [] } }, frame)
        continue
      }
      const outcome = this.tap.received(this.client.id, sent, frame)
      this.outcomes.push(outcome)
      if (outcome !== LOST) sent.received?.(outcome)
      if (this.awaiting.length === 0) this.finishBatch()
    }
  }

  private finishBatch(): void {
    const done = this.batchDone
    if (!done) return
    this.batchDone = null
    for (const _ of this.awaiting) this.outcomes.push(LOST)
    this.awaiting = []
    this.scheduler.clientWakes()
    done(this.outcomes)
  }

  /** The server side has stopped for good: the client learns that whatever it still waits for is lost. */
  private serverDone(): void {
    this.finishBatch()
    this.scheduler.idle(this.actor)
  }

  /** The server closed the connection itself; if no command of it is running, nothing else will end its turn. */
  private serverClosed(): void {
    if (!this.tap.busy) this.serverDone()
  }

  /** The client disconnects (a fault, or the end of its program). */
  close(): void {
    if (this.wire.closed) return
    this.wire.close()
    // Between commands, nothing of the server side is left to finish: the client hears of it now.
    if (!this.tap.busy) this.finishBatch()
  }
}
