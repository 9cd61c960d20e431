/**
 * The user's own client library, connected to the simulated network instead of TCP. Nothing in the libraries is
 * changed or wrapped; each is given the simulated socket through the door it already has:
 * - ioredis takes a `Connector` class in its options; its `connect()` resolves to the stream to use.
 * - node-redis opens its socket with `net.createConnection` from the `node:net` module object, so while a simulation
 *   runs, that function hands out a simulated socket for the simulation's host name (any other host gets a real one).
 * - 'native' is a small built-in client (native-client.ts) for users of neither.
 */
import net from 'node:net'
import { NativeClient } from './native-client.ts'
import type { SimNetwork, SimSocket } from './network.ts'

export type ClientLibrary = 'ioredis' | 'node-redis' | 'native'

/** Host name node-redis is given; its connections go to the simulated network. */
const SIM_HOST = 'redsim.simulated'
/**
 * The owner of a node-redis connection travels in its socket options under a symbol: node-redis copies the options to
 * `net.createConnection` (spread keeps symbols), and its per-configuration class cache, keyed by the options' JSON
 * (which leaves symbols out), is then shared by every client of a run instead of being rebuilt for each.
 */
const OWNER = Symbol('redsim.owner')

/** An open client of the user's library and how to let it go at the end of a run. */
export interface OpenClient {
  readonly redis: any
  close(): void
}

/** Opens clients of one library on one simulated network (one per run). */
export class ClientFactory {
  private restoreNet: (() => void) | null = null
  private module: any = null

  constructor(
    readonly library: ClientLibrary,
    private readonly network: SimNetwork,
    /** Which connection belongs to whom (trace lanes): set by the factory before a library connects. */
    private readonly label: (socket: SimSocket, owner: string) => void,
    private readonly options: Record<string, any> = {},
  ) {}

  /** Loads the library (a peer dependency: only the one asked for must be installed). */
  async load(): Promise<void> {
    if (this.library === 'ioredis') this.module = await import('ioredis')
    else if (this.library === 'node-redis') {
      this.module = await import('redis')
      this.patchNet()
    }
  }

  /** Opens a client for `owner` ('setup', 'client 1', 'check'). Resolves once the library says it is connected. */
  async open(owner: string): Promise<OpenClient> {
    const network = this.network
    const label = this.label
    if (this.library === 'ioredis') {
      const Redis = this.module.default ?? this.module.Redis
      class SimConnector {
        connecting = false
        stream: SimSocket | undefined
        firstError: Error | undefined
        check(): boolean {
          return true
        }
        connect(): Promise<SimSocket> {
          this.connecting = true
          // As ioredis's own connector: the stream is created on the next tick.
          return new Promise((resolve) => {
            process.nextTick(() => {
              const socket = network.connect()
              label(socket, owner)
              this.stream = socket
              resolve(socket)
            })
          })
        }
        disconnect(): void {
          this.connecting = false
          this.stream?.end()
        }
      }
      // No ready check by default: it sends INFO, whose memory and CPU figures are the real process's and would make
      // every run differ. The server is ready as soon as the connection is.
      const redis = new Redis({ enableReadyCheck: false, ...this.options, Connector: SimConnector })
      // An unhandled 'error' event would throw; a run reports errors through the user's awaits instead.
      redis.on('error', () => {})
      return { redis, close: () => redis.disconnect() }
    }
    if (this.library === 'node-redis') {
      const { createClient } = this.module
      const socket = { ...(this.options.socket ?? {}), host: SIM_HOST, port: 6379, [OWNER]: owner }
      // Maintenance notifications off by default: enabling them looks the host name up in DNS (real I/O).
      const redis = createClient({ maintNotifications: 'disabled', ...this.options, socket })
      redis.on('error', () => {})
      await redis.connect()
      return {
        redis,
        close: () => {
          if (typeof redis.destroy === 'function') redis.destroy()
          else void redis.disconnect().catch(() => {})
        },
      }
    }
    const socket = network.connect()
    label(socket, owner)
    const redis = new NativeClient(socket)
    return { redis, close: () => redis.close() }
  }

  /** Puts `net.createConnection` back. Idempotent. */
  unload(): void {
    this.restoreNet?.()
    this.restoreNet = null
  }

  /** node-redis calls `net.createConnection(options)`: the simulation's host gets a simulated socket. */
  private patchNet(): void {
    const original = net.createConnection
    const network = this.network
    const label = this.label
    const replacement = function createConnection(this: unknown, ...args: unknown[]) {
      const first = args[0] as { host?: unknown; [OWNER]?: string } | undefined
      if (first && typeof first === 'object' && first.host === SIM_HOST) {
        const socket = network.connect()
        label(socket, first[OWNER] ?? 'node-redis')
        return socket
      }
      return (original as (...a: unknown[]) => net.Socket).apply(net, args)
    }
    const writable = net as unknown as { createConnection: unknown }
    writable.createConnection = replacement
    this.restoreNet = () => {
      writable.createConnection = original
    }
  }
}
