/**
 * Simulated clients: each runs its program (a list of operations) through the in-process connection API, one command
 * at a time, and records every operation in the history. A client is an actor of the scheduler from its first
 * command to the end of its program; it reports the end itself (`scheduler.finished`), which is one of the three
 * ways an actor stops running (with parking at a seam point and blocking on the lock).
 *
 * A disconnect (a planned fault) closes the connection while a command is in flight. The server still finishes or
 * drops that command and its reply is hashed, but the client never sees it: the operation's outcome is unknown and the
 * client's program ends there.
 */
import type { Engine } from '../src/engine/engine.ts'
import type { Reply } from '../src/protocol/reply.ts'
import { ReplyError } from '../src/protocol/reply.ts'
import { LocalConnection, toArgv } from '../src/server/local-connection.ts'
import { type HistoryCall, type HistoryOperation, historyReply, type Recorder, type ServerCall } from './recorder.ts'
import type { Scheduler, SimActor } from './scheduler.ts'
import type { TraceHash } from './trace-hash.ts'
import { type Operation, sha1 } from './workloads.ts'

/** Marker for a reply the client never received. */
const LOST: unique symbol = Symbol('lost')
type Outcome = Reply | typeof LOST

export interface ClientDeps {
  engine: Engine
  scheduler: Scheduler
  recorder: Recorder
  hash: TraceHash
  /** Script name -> Lua source. */
  scripts: Record<string, string>
}

/** SHA1 of each script source seen in this process: the fixture scripts are few and hashing one costs a createHash. */
const shaOfSource = new Map<string, string>()

export class SimClient {
  readonly conn: LocalConnection

  /** The scheduler's view of this client; set once the connection (and so the client id) exists. */
  actor!: SimActor

  constructor(
    private readonly deps: ClientDeps,
    readonly program: readonly Operation[],
  ) {
    this.conn = new LocalConnection(deps.engine, 'sim')
  }

  get id(): number {
    return this.conn.client.id
  }

  /** Runs the program to its end (or its disconnect), then tells the scheduler. */
  async run(): Promise<void> {
    try {
      for (const op of this.program) {
        if (this.conn.closed) break
        // Plain commands, most of a program, are performed inline: one async frame less per operation.
        if (op.kind === 'command') {
          const argv = this.fillNow(op.argv)
          const record = this.deps.recorder.invoke(this.id, { argv })
          const sent = this.call(record, argv)
          this.end(record, sent instanceof Promise ? await sent : sent)
        } else await this.perform(op)
      }
      this.conn.close()
    } catch (err) {
      this.deps.scheduler.fail(err)
      return
    }
    this.deps.scheduler.finished(this.actor)
  }

  private async perform(op: Operation): Promise<void> {
    switch (op.kind) {
      case 'command': {
        const argv = this.fillNow(op.argv)
        await this.single({ argv }, argv)
        return
      }
      case 'multi': {
        const commands = op.commands.map((argv) => this.fillNow(argv))
        const record = this.deps.recorder.invoke(this.id, { multi: commands })
        let reply = await this.call(record, ['MULTI'])
        for (const argv of commands) if (reply !== LOST) reply = await this.call(record, argv)
        if (reply !== LOST) reply = await this.call(record, ['EXEC'])
        this.end(record, reply)
        return
      }
      case 'watch': {
        // An optimistic increment, one attempt: three history operations (WATCH, GET, then the transaction).
        if ((await this.single({ argv: ['WATCH', op.key] }, ['WATCH', op.key])) === LOST) return
        const current = await this.single({ argv: ['GET', op.key] }, ['GET', op.key])
        if (current === LOST) return
        const next = String((Number.parseInt(Buffer.isBuffer(current) ? current.toString('latin1') : '0', 10) || 0) + 1)
        const record = this.deps.recorder.invoke(this.id, { multi: [['SET', op.key, next]], watch: [op.key] })
        let reply = await this.call(record, ['MULTI'])
        if (reply !== LOST) reply = await this.call(record, ['SET', op.key, next])
        if (reply !== LOST) reply = await this.call(record, ['EXEC'])
        this.end(record, reply)
        return
      }
      case 'script': {
        const args = this.fillNow(op.args)
        const record = this.deps.recorder.invoke(this.id, { script: op.script, keys: op.keys, args })
        const source = this.deps.scripts[op.script]
        const tail = [String(op.keys.length), ...op.keys, ...args]
        let reply: Outcome
        if (op.via === 'evalsha') {
          // What client libraries do: EVALSHA, and EVAL only when the server answers NOSCRIPT.
          reply = await this.call(record, ['EVALSHA', this.sha(source), ...tail])
          if (reply instanceof ReplyError && reply.message.startsWith('NOSCRIPT')) {
            reply = await this.call(record, ['EVAL', source, ...tail])
          }
        } else {
          reply = await this.call(record, ['EVAL', source, ...tail])
        }
        this.end(record, reply)
        return
      }
    }
  }

  /** One command as one history operation. */
  private async single(input: { argv: string[] }, argv: string[]): Promise<Outcome> {
    const record = this.deps.recorder.invoke(this.id, input)
    const reply = await this.call(record, argv)
    this.end(record, reply)
    return reply
  }

  private end(record: HistoryOperation, reply: Outcome): void {
    if (reply === LOST) this.deps.recorder.abandon(record)
    // The operation's output is its last command's reply, already converted by `call`.
    else this.deps.recorder.complete(record, reply, record.calls[record.calls.length - 1].reply)
  }

  /**
   * Sends one command and waits for its reply; LOST when the connection is (or gets) closed. The reply comes back as
   * a plain value when the executor answered without waiting (the scheduler let this client run on), else a promise.
   */
  private call(record: HistoryOperation, argv: string[]): Outcome | Promise<Outcome> {
    if (this.conn.closed) return LOST
    const call: HistoryCall = { argv }
    record.calls.push(call)
    const server = this.deps.recorder.startCall(this.id, record.id, argv)
    // The executor call LocalConnection.send makes when nothing is in flight: a simulated client never pipelines, so
    // the connection's ordering queue (and its per-command closures and promise chain) would be pure overhead here.
    const answer = this.deps.engine.executor.execute(this.conn.client, toArgv(argv))
    if (answer instanceof Promise) return answer.then((reply) => this.received(call, server, reply))
    return this.received(call, server, answer)
  }

  private received(call: HistoryCall, server: ServerCall, reply: Reply): Outcome {
    this.deps.hash.reply(this.id, reply)
    server.reply = reply
    if (this.conn.closed) return LOST
    call.reply = historyReply(reply)
    return reply
  }

  /** `$now` becomes the virtual clock's time (ms) when the command is sent, as a client's own clock would give it. */
  private fillNow(argv: readonly string[]): string[] {
    if (!argv.includes('$now')) return argv as string[]
    const now = String(Math.floor(this.deps.engine.clock.now()))
    return argv.map((a) => (a === '$now' ? now : a))
  }

  private sha(source: string): string {
    let sha = shaOfSource.get(source)
    if (!sha) shaOfSource.set(source, (sha = sha1(source)))
    return sha
  }
}
