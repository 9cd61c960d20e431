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
 *   time and are written in order with the replies. They are the one output the client does not pace, so a
 *   subscriber whose output exceeds Redis's pub/sub hard limit (32 MB) is disconnected, as Redis does.
 */
import type { Socket } from 'node:net'
import type { Client } from '../engine/client.ts'
import type { Engine } from '../engine/engine.ts'
import { ReplyWriter } from '../protocol/resp-encoder.ts'
import { ProtocolError, RespParser } from '../protocol/resp-parser.ts'
import { type Reply, ReplyError } from '../protocol/reply.ts'

/** Write a batch at once, without waiting for the end of the turn, once this many reply bytes are collected. */
const FLUSH_BYTES = 64 * 1024
/** Stop reading while this many received bytes are waiting behind a command that has not replied yet. */
const MAX_QUERY_BYTES = 1024 * 1024
/** How long a closing connection may make no progress writing its last replies before it is destroyed. */
const CLOSE_IDLE_MS = 10_000
/** Redis's default `client-output-buffer-limit pubsub` hard limit. */
const PUSH_OUTPUT_LIMIT = 32 * 1024 * 1024

/** Connections with replies collected this turn; flushed together in the check phase. */
const pendingFlush = new Set<RespConnection>()
let flushScheduled = false

function flushAll(): void {
  flushScheduled = false
  for (const conn of pendingFlush) conn.flushQueued()
  pendingFlush.clear()
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
  /** Output went over the push limit: the connection is being closed, further pushes are dropped. */
  private overLimit = false

  constructor(
    private readonly engine: Engine,
    private readonly socket: Socket,
    private readonly onClose: (conn: RespConnection) => void,
  ) {
    const addr = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`
    const laddr = `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`
    this.client = engine.createClient('tcp', addr, laddr)
    this.parser = new RespParser({
      maxBulkLen: () => engine.config.getNumber('proto-max-bulk-len'),
      authenticated: () => this.client.authenticated,
    })
    this.client.pushSink = (reply) => this.push(reply)
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
    this.parser.append(chunk)
    if (this.pumping) {
      if (this.parser.buffered > MAX_QUERY_BYTES) this.pauseReading()
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
    if (this.outputBufferBytes > PUSH_OUTPUT_LIMIT) {
      this.overLimit = true
      this.engine.log('warning', `Client ${this.client.name} closed for overcoming of output buffer limits.`)
      // Not from inside the publisher's delivery loop: close once it is done.
      setImmediate(() => this.destroy())
      return
    }
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
        if (argv instanceof ProtocolError) {
          // Commands before the malformed bytes have run; now the error, then close, as Redis does.
          this.writer.write(new ReplyError(argv.message), this.client.protocol)
          this.closeAfterFlush()
          return
        }
        // Await only a real promise: an executor that answers synchronously costs no microtask hop here.
        const result: Reply | Promise<Reply> = this.engine.executor.execute(this.client, argv)
        const reply = result instanceof Promise ? await result : result
        this.stats.commands++
        if (this.closed) return
        this.writer.write(reply, this.client.protocol)
        if (this.client.closeAfterReply) {
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
    } catch (err) {
      this.engine.log('warning', `connection ${this.client.name} failed: ${(err as Error)?.stack ?? err}`)
      this.destroy()
    } finally {
      this.pumping = false
    }
  }

  private scheduleFlush(): void {
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

  /** Writes the collected replies now. */
  flush(): void {
    if (this.closed || this.writer.byteLength === 0) return
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
    this.engine.removeClient(this.client)
    this.onClose(this)
  }

  destroy(): void {
    this.socket.destroy()
    this.teardown()
  }
}
