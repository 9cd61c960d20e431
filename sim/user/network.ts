/**
 * The simulated network of a user simulation: one in-memory connection per client library connection, each a pair of
 * sockets (client end, server end) whose bytes do not travel by themselves. A write on either end queues a packet;
 * the simulator delivers queued packets one at a time, in an order its strategy chooses, so every `await` on a reply
 * in user code is a scheduling point. Packets of one direction of one connection arrive in the order they were sent,
 * as on TCP; the two directions, and different connections, interleave freely.
 *
 * The server end is what the real server gets from `net`: the ordinary RESP connection (parser, executor, encoder)
 * runs on it, so pipelined commands, partial reads and per-connection ordering are exercised as over TCP.
 *
 * The sockets are `stream.Duplex`es with the `net.Socket` methods client libraries and the server call
 * (`setNoDelay`, `setKeepAlive`, `setTimeout`, `ref`, `unref`, addresses). Written here rather than taken from a
 * library because the point of this file is that a delivery happens only when the scheduler says so.
 */
import { Duplex } from 'node:stream'

export type Direction = 'to-server' | 'to-client'

/** One queued packet: bytes, or the end of the sender's output (FIN). */
export interface Packet {
  readonly bytes: Buffer | null
}

export class SimSocket extends Duplex {
  /** `net.Socket` fields clients read. */
  connecting = false
  readonly remoteAddress = '127.0.0.1'
  readonly remoteFamily = 'IPv4'
  readonly localAddress = '127.0.0.1'
  readonly remotePort: number
  readonly localPort: number
  /** The FIN of this end was queued (end() or destroy()). */
  private finQueued = false
  private idleMs = 0
  private idleTimer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly link: SimLink,
    private readonly direction: Direction,
    localPort: number,
    remotePort: number,
  ) {
    // allowHalfOpen false, as net.Socket: the end of input ends output too, and the socket then closes.
    super({ allowHalfOpen: false })
    this.localPort = localPort
    this.remotePort = remotePort
    this.on('newListener', (event: string | symbol) => {
      if (event === 'timeout') queueMicrotask(() => this.touch())
    })
  }

  override _read(): void {}

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.link.send(this.direction, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding))
    this.touch()
    callback()
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.queueFin()
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.queueFin()
    this.clearIdle()
    callback(error)
  }

  private queueFin(): void {
    if (this.finQueued) return
    this.finQueued = true
    this.link.send(this.direction, null)
  }

  /** A packet from the peer arrives. */
  receive(bytes: Buffer | null): void {
    if (this.destroyed) return
    if (bytes === null) {
      this.push(null)
      return
    }
    this.touch()
    this.push(bytes)
  }

  setNoDelay(): this {
    return this
  }
  setKeepAlive(): this {
    return this
  }
  ref(): this {
    return this
  }
  unref(): this {
    return this
  }
  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: 'IPv4', port: this.localPort }
  }

  /** Idle timeout as net.Socket has it ('timeout' after `ms` without traffic; 0 disarms), on the virtual clock. */
  setTimeout(ms: number, callback?: () => void): this {
    if (callback) {
      if (ms === 0) this.removeListener('timeout', callback)
      else this.once('timeout', callback)
    }
    this.idleMs = ms
    this.touch()
    return this
  }

  /**
   * Re-arms the idle timer. Armed only while someone listens for 'timeout': a timeout nobody hears changes nothing,
   * and a pending virtual timer is a scheduling choice (time jumps ahead when chosen) that would be offered forever.
   */
  private touch(): void {
    this.clearIdle()
    if (this.idleMs > 0 && !this.destroyed && this.listenerCount('timeout') > 0) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs)
    }
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }
}

/** One connection: its two ends and the packets in flight each way. */
export class SimLink {
  readonly client: SimSocket
  readonly server: SimSocket
  readonly toServer: Packet[] = []
  readonly toClient: Packet[] = []

  constructor(
    /** 1-based, in the order connections were opened. */
    readonly id: number,
    private readonly onSend: (link: SimLink, direction: Direction, bytes: Buffer | null) => void,
  ) {
    const clientPort = 50_000 + id
    this.client = new SimSocket(this, 'to-server', clientPort, 6379)
    this.server = new SimSocket(this, 'to-client', 6379, clientPort)
  }

  send(direction: Direction, bytes: Buffer | null): void {
    ;(direction === 'to-server' ? this.toServer : this.toClient).push({ bytes })
    this.onSend(this, direction, bytes)
  }

  /** Delivers the oldest packet travelling in `direction`. */
  deliver(direction: Direction): Packet {
    const packet = (direction === 'to-server' ? this.toServer : this.toClient).shift()
    if (!packet) throw new Error(`connection ${this.id}: nothing in flight ${direction}`)
    ;(direction === 'to-server' ? this.server : this.client).receive(packet.bytes)
    return packet
  }

  /**
   * Cuts the connection (a reset): packets in flight are lost, the server tears the connection down as on a peer
   * reset, and the client library sees an error and a close, as from a real socket.
   */
  cut(): void {
    this.toServer.length = 0
    this.toClient.length = 0
    this.server.destroy()
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' })
    this.client.destroy(reset)
  }

  /** Whether a packet waits in `direction` for a receiver that can still take it. */
  pending(direction: Direction): boolean {
    const queue = direction === 'to-server' ? this.toServer : this.toClient
    if (queue.length === 0) return false
    const receiver = direction === 'to-server' ? this.server : this.client
    if (receiver.destroyed) {
      // Nobody will ever read it: a packet to a closed socket is lost, and delivering it is not a choice.
      queue.length = 0
      return false
    }
    return true
  }
}

/** All connections of one run, in the order they were opened. */
export class SimNetwork {
  readonly links: SimLink[] = []

  constructor(
    /** A new connection's server end, to hand to the server. */
    private readonly accept: (link: SimLink) => void,
    private readonly onSend: (link: SimLink, direction: Direction, bytes: Buffer | null) => void = () => {},
  ) {}

  /** Opens a connection; returns the client end, already connected ('connect' follows on the next tick). */
  connect(): SimSocket {
    const link = new SimLink(this.links.length + 1, this.onSend)
    this.links.push(link)
    this.accept(link)
    process.nextTick(() => {
      if (!link.client.destroyed) {
        link.client.emit('connect')
        link.client.emit('ready')
      }
    })
    return link.client
  }
}
