/**
 * One TCP connection: bytes in, commands strictly in order through the executor, replies out in batches.
 *
 * Ordering: one pump takes the next complete command from the parser, awaits its reply, and only then parses the
 *   next, as Redis's processInputBuffer does (so an AUTH or CONFIG SET affects the parsing of the next command).
 * Batching: replies are collected and written once per event-loop turn (setImmediate, after every readable socket
 *   of this turn was served), like Redis's beforeSleep write pass: one write syscall per connection per turn, and
 *   clients see many replies per wake-up instead of one each.
 * Backpressure: while the socket cannot take more replies (writableNeedDrain) no further command runs and reading
 *   is paused, so a client that sends but does not read fills its own TCP window, not the server's memory. Reading
 *   also pauses while more than MAX_QUERY_BYTES of complete input wait for execution.
 * Pushes: pub/sub messages (and all but the last subscribe confirmation) arrive through `client.pushSink` at any
 *   time and are written in order with the replies. They are the one output the client does not pace.
 * Output limits: `client-output-buffer-limit` for the client's class (pubsub while subscribed, else normal) is
 *   checked whenever output is added, as Redis does; a client over its hard limit, or over its soft limit for longer
 *   than its seconds, is closed without being written to again.
 * Closing: CLIENT KILL and the idle timeout close the socket through `client.closeConnection`. When the connection
 *   ends, its buffers go with it, and after a very large request the process is asked to give memory back.
 */
import type { Client } from '../engine/client.ts'
import { reportClientBuffers } from '../engine/client-memory.ts'
import type { Engine } from '../engine/engine.ts'
import { clientInfoLine } from '../commands/client-list.ts'
import { type BufferLimits, overOutputLimit, parseOutputBufferLimits } from '../engine/output-buffer-limits.ts'
import { ReplyWriter } from '../protocol/resp-encoder.ts'
import { ProtocolError, QueryRefused, RespParser } from '../protocol/resp-parser.ts'
import { type Reply, ReplyError } from '../protocol/reply.ts'
import { isLargeRequest, releaseMemorySoon } from './memory-release.ts'
import { admitMultibulk, overQueryBufferLimit, requestDelivered } from './request-limits.ts'

/** Write a batch at once, without waiting for the end of the turn, once this many reply bytes are collected. */
const FLUSH_BYTES = 64 * 1024
/** Stop reading while this many received bytes are waiting behind a command that has not replied yet. */
const MAX_QUERY_BYTES = 1024 * 1024
/** How long a closing connection may make no progress writing its last replies before it is destroyed. */
const CLOSE_IDLE_MS = 10_000
/** Output Redis does not count against the limits: its per-client static reply buffer (PROTO_REPLY_CHUNK_BYTES). */
const UNCOUNTED_OUTPUT = 16 * 1024

/** The parsed `client-output-buffer-limit`, parsed again only when its text changes. */
let limitsText = ''
let limits: BufferLimits | null = null
function outputLimits(engine: Engine): BufferLimits {
  const text = engine.config.get('client-output-buffer-limit')
  if (limits === null || text !== limitsText) {
    limits = parseOutputBufferLimits(text)
    limitsText = text
  }
  return limits
}

/** Connections with replies collected this turn; flushed together in the check phase. */
const pendingFlush = new Set<RespConnection>()
let flushScheduled = false

function flushAll(): void {
  flushScheduled = false
  for (const conn of pendingFlush) conn.flushQueued()
  pendingFlush.clear()
}

/**
 * What a connection needs of its byte stream. A `net.Socket` is one; the simulator passes an in-memory wire whose
 * deliveries its scheduler orders, so that this same class (parser, ordering, batching, closing) runs under it.
 */
export interface ByteStream {
  readonly remoteAddress?: string
  readonly remotePort?: number
  readonly localAddress?: string
  readonly localPort?: number
  readonly writableNeedDrain: boolean
  readonly writableLength: number
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  on(event: 'drain' | 'end' | 'close', listener: () => void): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
  write(chunk: Buffer): unknown
  pause(): unknown
  resume(): unknown
  setNoDelay(noDelay: boolean): unknown
  setTimeout(ms: number, onTimeout: () => void): unknown
  end(callback: () => void): unknown
  destroy(): unknown
}

export interface RespConnectionOptions {
  /**
   * Write each reply as soon as it is produced instead of once per event-loop turn. The simulator's turns are its own
   * scheduling decisions, not the event loop's, so it takes replies at once.
   */
  writeAtOnce?: boolean
  /**
   * Called whenever the connection has run every complete command it received and waits for more bytes: the
   * simulator's cue that this connection's actor has nothing to run until the next delivery.
   */
  awaitingInput?: () => void
}

/** Counters of one connection's traffic (tests read them to check batching; CLIENT LIST could too). */
export interface ConnectionStats {
  /** 'data' events received. */
  reads: number
  /** Socket writes made (each carries a batch of replies). */
  writes: number
  /** Commands executed. */
  commands: number
}

export class RespConnection {
  readonly client: Client
  readonly stats: ConnectionStats = { reads: 0, writes: 0, commands: 0 }
  private readonly parser: RespParser
  private readonly writer = new ReplyWriter()
  /** A command of this connection is running (or the pump loop is active); new input just waits in the parser. */
  private pumping = false
  private closed = false
  /** The peer half-closed: run what has arrived, reply, then close. */
  private inputEnded = false
  private readingPaused = false
  /** In `pendingFlush` for this turn. */
  private flushPending = false
  /** Output went over its limit: the connection is being closed, nothing more is written. */
  private overLimit = false
  /** When output first reached the soft limit, in whole seconds of the engine clock (0: below it). */
  private softLimitSince = 0
  /** This connection ran a very large request: release memory when it closes. */
  private hadLargeRequest = false

  constructor(
    private readonly engine: Engine,
    private readonly socket: ByteStream,
    private readonly onClose: (conn: RespConnection) => void,
    private readonly options: RespConnectionOptions = {},
  ) {
    const addr = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`
    const laddr = `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`
    this.client = engine.createClient('tcp', addr, laddr)
    // used_memory counts this connection's query and output buffers (src/engine/client-memory.ts).
    reportClientBuffers(this.client, this)
    this.parser = new RespParser({
      maxBulkLen: () => engine.config.getNumber('proto-max-bulk-len'),
      authenticated: () => this.client.authenticated,
      admitMultibulk: (count) => admitMultibulk(engine, this.client, this, count),
    })
    this.client.pushSink = (reply) => this.push(reply)
    this.client.closeConnection = () => this.destroy()
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.onDrain())
    socket.on('end', () => this.onEnd())
    socket.on('close', () => this.teardown())
    // A reset by the peer: 'close' follows and tears down; nothing to report to anyone.
    socket.on('error', () => this.teardown())
  }

  /** Received bytes not yet consumed by a complete command. */
  get queryBufferBytes(): number {
    return this.parser.buffered
  }

  /** Memory the parser holds for input. */
  get queryBufferCapacity(): number {
    return this.parser.capacity
  }

  /** Reply bytes produced but not yet taken by the kernel (node's write queue plus the current batch). */
  get outputBufferBytes(): number {
    return this.socket.writableLength + this.writer.byteLength
  }

  /** Whether reading from the socket is paused for backpressure. */
  get isReadingPaused(): boolean {
    return this.readingPaused
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    this.stats.reads++
    // Redis counts a read as interaction, so a client sending a long request slowly is not idle.
    this.client.lastInteraction = this.engine.clock.now()
    this.parser.append(chunk)
    // client-query-buffer-limit, checked after every read as Redis does: closed without a reply.
    if (overQueryBufferLimit(this.engine, this.client, this.parser.buffered, () => this.parser.head(64))) {
      this.destroy()
      return
    }
    if (this.pumping) {
      if (this.parser.buffered > MAX_QUERY_BYTES) this.pauseReading()
      // The pipeline-overtakes-blocked mutant: a command blocked on keys no longer holds up the ones behind it.
      if (!this.engine.variant.connectionWaitsForBlocked && this.engine.blocking.isBlocked(this.client)) {
        this.pumping = false
        void this.pump()
      }
      return
    }
    void this.pump()
  }

  /**
   * The peer sent FIN. Redis frees a client when it reads EOF, having run every command it read before: commands
   * still waiting here for the lock run, are answered, and then the connection closes. A command *blocked* for data
   * (BLPOP ...) is abandoned at once instead, so that it cannot take data another client should get.
   */
  private onEnd(): void {
    this.inputEnded = true
    if (this.pumping) {
      if (this.engine.blocking.isBlocked(this.client)) this.destroy()
      return
    }
    void this.pump()
  }

  /** An out-of-band reply (pub/sub message, subscribe confirmation): written now, in order with the replies. */
  private push(reply: Reply): void {
    if (this.closed || this.overLimit) return
    this.writer.write(reply, this.client.protocol)
    if (this.overOutputLimit()) return
    if (this.writer.byteLength >= FLUSH_BYTES) this.flush()
    else this.scheduleFlush()
  }

  private onDrain(): void {
    if (this.closed) return
    if (!this.pumping) void this.pump()
  }

  /**
   * Runs complete commands one at a time until the parser needs more bytes, the socket needs to drain, or the
   * connection ends. Only one pump runs per connection.
   */
  private async pump(): Promise<void> {
    if (this.pumping || this.closed) return
    this.pumping = true
    try {
      for (;;) {
        if (this.socket.writableNeedDrain) {
          // The peer is not reading: run nothing more and stop reading until 'drain' calls pump again.
          this.pauseReading()
          return
        }
        const argv = this.parser.next()
        if (argv === null) break
        // Refused for the heap it would take (request-limits.ts): closed without a reply, as over the query limit.
        if (argv instanceof QueryRefused) {
          this.destroy()
          return
        }
        if (argv instanceof ProtocolError) {
          // Commands before the malformed bytes have run; now the error, then close, as Redis does.
          this.writer.write(new ReplyError(argv.message), this.client.protocol)
          this.closeAfterFlush()
          return
        }
        requestDelivered(this)
        const large = argv.length >= 1024 && isLargeRequest(argv)
        // Await only a real promise: an executor that answers synchronously costs no microtask hop here.
        const client = this.client
        client.commandsInFlight++
        let result: Reply | Promise<Reply>
        try {
          result = this.engine.executor.execute(client, argv)
          if (result instanceof Promise) result = await result
        } finally {
          client.commandsInFlight--
        }
        const reply = result
        this.stats.commands++
        if (this.closed) return
        if (!client.repliesSilenced) this.writer.write(reply, client.protocol)
        client.commandProcessed()
        if (this.overOutputLimit()) return
        if (large) {
          // The request's arguments are garbage now; ask for the memory back once the process is idle.
          this.hadLargeRequest = true
          releaseMemorySoon()
        }
        if (client.closeAfterReply) {
          this.closeAfterFlush()
          return
        }
        if (this.writer.byteLength >= FLUSH_BYTES) this.flush()
        else this.scheduleFlush()
      }
      if (this.inputEnded) {
        // The peer sent FIN; whatever was incomplete can never complete.
        this.closeAfterFlush()
        return
      }
      this.resumeReading()
      this.options.awaitingInput?.()
    } catch (err) {
      this.engine.log('warning', `connection ${this.client.name} failed: ${(err as Error)?.stack ?? err}`)
      this.destroy()
    } finally {
      this.pumping = false
    }
  }

  private scheduleFlush(): void {
    if (this.options.writeAtOnce) {
      this.flush()
      return
    }
    if (this.flushPending) return
    this.flushPending = true
    pendingFlush.add(this)
    if (!flushScheduled) {
      flushScheduled = true
      setImmediate(flushAll)
    }
  }

  /** The end-of-turn flush (called by flushAll only). */
  flushQueued(): void {
    this.flushPending = false
    this.flush()
  }

  /**
   * Redis's checkClientOutputBufferLimits, after output was added: over the limit of the client's class, the client is
   * closed (not from inside the command or the publisher's delivery loop: once this turn's work is done) and nothing
   * more is written to it.
   */
  private overOutputLimit(): boolean {
    const engine = this.engine
    const all = outputLimits(engine)
    const limit = engine.pubsub.total(this.client) > 0 ? all.pubsub : all.normal
    if (limit.hard === 0 && limit.soft === 0) return false
    const used = Math.max(0, this.outputBufferBytes - UNCOUNTED_OUTPUT)
    const verdict = overOutputLimit(limit, used, Math.floor(engine.clock.now() / 1000), this.softLimitSince)
    this.softLimitSince = verdict.softSince
    if (!verdict.close) return false
    this.overLimit = true
    const info = clientInfoLine(this.client, engine.clock.now(), null, engine).trimEnd()
    engine.log('warning', `Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`)
    setImmediate(() => this.destroy())
    return true
  }

  /** Writes the collected replies now. */
  flush(): void {
    if (this.closed || this.overLimit || this.writer.byteLength === 0) return
    this.stats.writes++
    this.socket.write(this.writer.take())
  }

  private pauseReading(): void {
    if (this.readingPaused) return
    this.readingPaused = true
    this.socket.pause()
  }

  private resumeReading(): void {
    if (!this.readingPaused || this.closed) return
    this.readingPaused = false
    this.socket.resume()
  }

  /**
   * Writes what is collected, then closes for good (QUIT, a protocol error, the peer's FIN): the socket is destroyed
   * once the last byte is handed to the kernel, so a peer that keeps its side open cannot keep the descriptor, and
   * after CLOSE_IDLE_MS without progress if the peer stops reading. The 'error' listener set in the constructor
   * stays, so a reset during the final write is handled.
   */
  private closeAfterFlush(): void {
    this.flush()
    this.flushPending = false
    pendingFlush.delete(this)
    const socket = this.socket
    socket.setTimeout(CLOSE_IDLE_MS, () => socket.destroy())
    socket.end(() => socket.destroy())
    this.teardown()
  }

  /** Idempotent: the socket is gone or closing; the client's in-flight command finishes, nothing else runs. */
  teardown(): void {
    if (this.closed) return
    this.closed = true
    this.flushPending = false
    pendingFlush.delete(this)
    this.client.pushSink = null
    this.client.closeConnection = null
    this.engine.removeClient(this.client)
    requestDelivered(this)
    // The parser's and the writer's buffers are not needed any more; the socket may outlive this object a little
    // (closeAfterFlush), so drop them now rather than when the socket is collected.
    this.parser.releaseBuffers()
    this.writer.discard()
    this.onClose(this)
    if (this.hadLargeRequest) releaseMemorySoon()
  }

  destroy(): void {
    this.socket.destroy()
    this.teardown()
  }
}
