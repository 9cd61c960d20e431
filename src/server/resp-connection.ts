/**
 * One TCP connection: bytes in, commands strictly in order through the executor, replies out in batches.
 *
 * Ordering: a single pump runs the parsed commands one at a time, awaiting each reply before starting the next.
 * Batching: replies produced while draining the commands of one read are written with one socket write.
 * Backpressure: reading pauses while the socket's write buffer is full or too many commands are pending.
 */
import type { Socket } from 'node:net'
import type { Client } from '../engine/client.ts'
import type { Engine } from '../engine/engine.ts'
import { type ProtocolError, RespParser } from '../protocol/resp-parser.ts'
import { ReplyWriter } from '../protocol/resp-encoder.ts'
import { ReplyError } from '../protocol/reply.ts'

/** Pause reading when this many parsed commands are waiting (pipelines bigger than this just flow slower). */
const MAX_PENDING_COMMANDS = 4096
/** Flush a batch early once this many reply bytes are buffered. */
const FLUSH_BYTES = 64 * 1024

export class RespConnection {
  readonly client: Client
  private readonly parser: RespParser
  private readonly pending: Buffer[][] = []
  private pendingHead = 0
  private readonly writer = new ReplyWriter()
  private pumping = false
  private protocolError: ProtocolError | null = null
  private closed = false
  private pausedForBackpressure = false

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
    socket.setNoDelay(true)
    socket.on('data', (chunk) => this.onData(chunk))
    socket.on('drain', () => this.maybeResume())
    socket.on('close', () => this.teardown())
    socket.on('error', () => this.teardown())
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.protocolError) return
    const { commands, error } = this.parser.feed(chunk)
    for (const c of commands) this.pending.push(c)
    if (error) this.protocolError = error
    if (this.pending.length - this.pendingHead > MAX_PENDING_COMMANDS) this.pauseReading()
    void this.pump()
  }

  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      while (!this.closed && this.pendingHead < this.pending.length) {
        const argv = this.pending[this.pendingHead++]
        const reply = await this.engine.executor.execute(this.client, argv)
        if (this.closed) return
        this.writer.write(reply, this.client.protocol)
        if (this.client.closeAfterReply) {
          this.flush()
          this.end()
          return
        }
        if (this.writer.byteLength >= FLUSH_BYTES) this.flush()
      }
      this.pending.length = 0
      this.pendingHead = 0
      if (this.protocolError) {
        // Commands before the malformed bytes have run; now the error, then close, as Redis does.
        this.writer.write(new ReplyError(this.protocolError.message), this.client.protocol)
        this.flush()
        this.end()
        return
      }
      this.flush()
      this.maybeResume()
    } catch (err) {
      this.engine.log('warning', `connection ${this.client.name} failed: ${(err as Error)?.stack ?? err}`)
      this.socket.destroy()
    } finally {
      this.pumping = false
    }
  }

  private flush(): void {
    if (this.writer.byteLength === 0 || this.closed) return
    const ok = this.socket.write(this.writer.take())
    if (!ok) this.pauseReading()
  }

  private pauseReading(): void {
    if (!this.pausedForBackpressure) {
      this.pausedForBackpressure = true
      this.socket.pause()
    }
  }

  private maybeResume(): void {
    if (!this.pausedForBackpressure || this.closed) return
    if (this.socket.writableNeedDrain) return
    if (this.pending.length - this.pendingHead > MAX_PENDING_COMMANDS / 2) return
    this.pausedForBackpressure = false
    this.socket.resume()
  }

  private end(): void {
    this.socket.end()
    this.teardown()
  }

  /** Idempotent: the socket is gone or closing; the client's in-flight command finishes, nothing else runs. */
  teardown(): void {
    if (this.closed) return
    this.closed = true
    this.engine.removeClient(this.client)
    this.onClose(this)
  }

  destroy(): void {
    this.socket.destroy()
    this.teardown()
  }
}
