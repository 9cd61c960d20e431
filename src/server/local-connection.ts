/**
 * The in-process connection API: a client of the engine without TCP or RESP. Commands run strictly in order, through
 * the same executor, command table and lock as TCP clients; replies come back as `Reply` values. The simulator's
 * clients and the tests use it.
 */
import type { Client, ClientKind } from '../engine/client.ts'
import type { Engine } from '../engine/engine.ts'
import type { Reply } from '../protocol/reply.ts'

export type Arg = string | Buffer | number | bigint

export function toArgv(args: readonly Arg[]): Buffer[] {
  return args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8')))
}

export class LocalConnection {
  readonly client: Client
  private tail: Promise<unknown> = Promise.resolve()
  private inflight = 0

  constructor(
    private readonly engine: Engine,
    kind: ClientKind = 'local',
  ) {
    this.client = engine.createClient(kind)
    // CLIENT KILL and the idle timeout close an in-process connection as they close a socket.
    this.client.closeConnection = () => this.close()
  }

  /** Sends one command; resolves to its reply (errors are `ReplyError` values, not rejections). */
  call(...args: Arg[]): Promise<Reply> {
    return this.send(toArgv(args))
  }

  send(argv: Buffer[]): Promise<Reply> {
    if (this.client.closed) return Promise.reject(new Error('connection closed'))
    const client = this.client
    // A command still queued when the connection closes is dropped, as a closed socket's unread input is.
    const run = () =>
      client.closed ? Promise.reject(new Error('connection closed')) : this.engine.executor.execute(client, argv)
    // Nothing in flight: start now, with no extra microtask hop. Otherwise queue behind the previous command.
    // (execute answers synchronously when nothing waited; this API always hands out a promise.)
    client.commandsInFlight++
    const result = this.inflight === 0 ? Promise.resolve(run()) : this.tail.then(run)
    this.inflight++
    const settle = () => {
      this.inflight--
      client.commandsInFlight--
      // QUIT, or CLIENT KILL of itself: closed once this reply is handed over, as a socket after its last write.
      if (client.closeAfterReply) this.close()
    }
    this.tail = result.then(settle, settle)
    return result
  }

  /** Disconnects: a command in flight finishes (or, if still waiting for the lock, is dropped). */
  close(): void {
    if (this.client.closed) return
    this.client.closeConnection = null
    this.engine.removeClient(this.client)
  }

  get closed(): boolean {
    return this.client.closed
  }
}
