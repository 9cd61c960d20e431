/**
 * Per-connection state the executor needs: selected database, protocol, auth, the MULTI queue and WATCHed keys.
 * A Client is also the `Actor` the lock and the scheduling seam see.
 */
import type { Protocol } from '../protocol/resp-encoder.ts'
import type { Reply } from '../protocol/reply.ts'
import type { Actor } from './seam.ts'

export interface QueuedCommand {
  argv: Buffer[]
}

export interface MultiState {
  queue: QueuedCommand[]
  /** A command was rejected while queuing: EXEC will answer EXECABORT. */
  aborted: boolean
}

export interface WatchedKey {
  db: number
  key: string
  /** Whether the key was already logically expired when watched (Redis 7.0 keeps this to judge expiry at EXEC). */
  expiredAtWatch: boolean
}

export type ClientKind = 'tcp' | 'local' | 'sim'

export class Client implements Actor {
  /** CLIENT SETNAME name, or '' when unset. */
  clientName = ''
  db = 0
  protocol: Protocol = 2
  authenticated: boolean
  multi: MultiState | null = null
  watched: WatchedKey[] = []
  /** A watched key was touched: the next EXEC aborts with a nil array. */
  dirtyCas = false
  /** The connection is gone: finish or abort the current command cleanly, run nothing else. */
  closed = false
  /** QUIT (or a protocol error): close after this reply is written. */
  closeAfterReply = false
  lastCommand = 'NULL'
  lastInteraction: number
  libName = ''
  libVersion = ''
  /**
   * Where out-of-band replies go (pub/sub messages and subscribe confirmations, RESP3 pushes): set by the client's
   * connection, which writes them in order with its ordinary replies. Null: nobody can receive them, they are dropped.
   */
  pushSink: ((reply: Reply) => void) | null = null
  /**
   * How the engine closes this client's connection (CLIENT KILL, the idle timeout): set by the connection, which
   * closes its transport and then removes the client. Null: the client has no transport, removing it is enough.
   */
  closeConnection: (() => void) | null = null
  /**
   * Commands sent by this client whose reply has not been written yet, counted by its connection: a client with one is
   * being served (waiting for the lock, running, blocked), never idle.
   */
  commandsInFlight = 0
  /** CLIENT REPLY OFF: replies are not written (pushes still are) until CLIENT REPLY ON or RESET. */
  replyOff = false
  /** The reply of the command being run is not written: CLIENT REPLY SKIP itself, then the command after it. */
  replySkip = false
  /** CLIENT REPLY SKIP ran: the next command's reply is not written. */
  replySkipNext = false

  constructor(
    readonly id: number,
    readonly kind: ClientKind,
    readonly createdAt: number,
    authenticated: boolean,
    readonly addr = '127.0.0.1:0',
    readonly laddr = '127.0.0.1:0',
  ) {
    this.authenticated = authenticated
    this.lastInteraction = createdAt
  }

  /** Actor name for traces: `client#7` or its CLIENT SETNAME. */
  get name(): string {
    return this.clientName || `client#${this.id}`
  }

  /** Delivers a reply outside the request/response flow (see `pushSink`). */
  push(reply: Reply): void {
    this.pushSink?.(reply)
  }

  /** Whether the current command's reply is dropped instead of written (CLIENT REPLY OFF or SKIP). */
  get repliesSilenced(): boolean {
    return this.replyOff || this.replySkip
  }

  /** After each command's reply, as Redis's commandProcessed: a SKIP covers exactly the one command after it. */
  commandProcessed(): void {
    this.replySkip = this.replySkipNext
    this.replySkipNext = false
  }

  toString(): string {
    return this.name
  }
}
