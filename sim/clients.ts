/**
 * Simulated clients: each runs its program (a list of operations) and records every operation in the history. A
 * `direct` client calls the executor with one command at a time; a pipelining client (`local` or `resp`, see
 * connections.ts) sends runs of operations back to back through a real connection and then reads their replies. A client is an actor of the scheduler from its first
 * command to the end of its program; it reports the end itself (`scheduler.finished`), which is one of the three
 * ways an actor stops running (with parking at a seam point and blocking on the lock).
 *
 * A disconnect (a planned fault) closes the connection while a command is in flight. The server still finishes or
 * drops that command and its reply is hashed, but the client never sees it: the operation's outcome is unknown and the
 * client's program ends there.
 */
import type { Client } from '../src/engine/client.ts'
import type { Engine } from '../src/engine/engine.ts'
import type { Reply } from '../src/protocol/reply.ts'
import { ReplyError } from '../src/protocol/reply.ts'
import { LocalConnection, toArgv } from '../src/server/local-connection.ts'
import { LOST, type Outcome, type Pipeline, type Sent } from './connections.ts'
import {
  type HistoryCall,
  type HistoryOperation,
  historyReply,
  type OperationInput,
  type Recorder,
  type ServerCall,
} from './recorder.ts'
import type { Scheduler, SimActor } from './scheduler.ts'
import type { TraceHash } from './trace-hash.ts'
import { type Operation, sha1 } from './workloads.ts'

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
  /** A direct client's connection (only its engine client is used: commands go straight to the executor). */
  private readonly conn: LocalConnection | null
  /** A pipelining client's connection. */
  readonly pipeline: Pipeline | null

  /** The scheduler's view of this client; set once the connection (and so the client id) exists. */
  actor!: SimActor

  constructor(
    private readonly deps: ClientDeps,
    readonly program: readonly Operation[],
    pipeline: Pipeline | null = null,
  ) {
    this.pipeline = pipeline
    this.conn = pipeline ? null : new LocalConnection(deps.engine, 'sim')
  }

  get client(): Client {
    return this.pipeline ? this.pipeline.client : this.conn!.client
  }

  get id(): number {
    return this.client.id
  }

  /** Disconnects (a planned fault). */
  disconnect(): void {
    if (this.pipeline) this.pipeline.close()
    else this.conn!.close()
  }

  /** Runs the program to its end (or its disconnect), then tells the scheduler. */
  async run(): Promise<void> {
    if (this.pipeline) return this.runPipelined(this.pipeline)
    try {
      for (const op of this.program) {
        if (this.conn!.closed) break
        // Plain commands, most of a program, are performed inline: one async frame less per operation.
        if (op.kind === 'command') {
          const argv = this.fillNow(op.argv)
          const record = this.deps.recorder.invoke(this.id, { argv })
          const sent = this.call(record, argv)
          this.end(record, sent instanceof Promise ? await sent : sent)
        } else await this.perform(op)
      }
      this.conn!.close()
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
    if (this.conn!.closed) return LOST
    const call: HistoryCall = { argv }
    record.calls.push(call)
    const server = this.deps.recorder.startCall(this.id, record.id, argv)
    // The executor call LocalConnection.send makes when nothing is in flight: a simulated client never pipelines, so
    // the connection's ordering queue (and its per-command closures and promise chain) would be pure overhead here.
    const answer = this.deps.engine.executor.execute(this.conn!.client, toArgv(argv))
    if (answer instanceof Promise) return answer.then((reply) => this.received(call, server, reply))
    return this.received(call, server, answer)
  }

  private received(call: HistoryCall, server: ServerCall, reply: Reply): Outcome {
    this.deps.hash.reply(this.id, reply)
    server.reply = reply
    if (this.conn!.closed) return LOST
    call.reply = historyReply(reply)
    return reply
  }

  /**
   * A pipelining client's program: runs of operations (each operation and those pipelined behind it) are sent back to
   * back, then their replies read in order. What depends on a reply follows in a later round trip: the EVAL after an
   * EVALSHA answered NOSCRIPT, and the transaction of a WATCH increment after the GET it needs.
   */
  private async runPipelined(pipeline: Pipeline): Promise<void> {
    const { program } = this
    try {
      for (let i = 0; i < program.length && !pipeline.closed; ) {
        const batch = [program[i++]]
        // An EVALSHA ends its run: the EVAL that follows a NOSCRIPT must not land after later operations of the
        // client, whose program order the history (and the invariants reading it) rely on.
        while (i < program.length && program[i].pipelined && !isEvalsha(batch[batch.length - 1])) {
          batch.push(program[i++])
        }
        if (batch.length === 1 && batch[0].kind === 'watch') await this.watchIncrement(pipeline, batch[0].key)
        else await this.sendBatch(pipeline, batch)
      }
      pipeline.close()
    } catch (err) {
      this.deps.scheduler.fail(err)
      return
    }
    this.deps.scheduler.finished(this.actor)
  }

  /**
   * One run of operations, sent back to back. Each operation counts as invoked when the reply before it arrives and
   * its bytes reached the server: its connection runs nothing of it before then (the tap checks that), so the history
   * stays sequential per client, as for a client that waits for each reply, and the linearizability search as small.
   */
  private async sendBatch(pipeline: Pipeline, batch: readonly Operation[]): Promise<void> {
    const planned: Array<{ input: OperationInput; sent: Sent[]; op: Operation; record?: HistoryOperation }> = []
    const all: Sent[] = []
    for (const op of batch) {
      let input: OperationInput
      let commands: string[][]
      switch (op.kind) {
        case 'command': {
          const argv = this.fillNow(op.argv)
          input = { argv }
          commands = [argv]
          break
        }
        case 'multi': {
          const inner = op.commands.map((argv) => this.fillNow(argv))
          input = { multi: inner }
          commands = [['MULTI'], ...inner, ['EXEC']]
          break
        }
        case 'script': {
          const args = this.fillNow(op.args)
          input = { script: op.script, keys: op.keys, args }
          commands = [this.scriptCommand(op, args, op.via === 'evalsha')]
          break
        }
        case 'watch':
          throw new Error('a WATCH increment cannot be pipelined')
      }
      const sent = commands.map((argv): Sent => ({ argv, op: -1, call: { argv } }))
      planned.push({ input, sent, op })
      all.push(...sent)
    }
    const invoke = (k: number): void => {
      const p = planned[k]
      const record = this.deps.recorder.invoke(this.id, p.input)
      p.record = record
      for (const s of p.sent) {
        s.op = record.id
        record.calls.push(s.call)
      }
    }
    // Invoked once the reply before it came and its first command reached the server, whichever is later; complete
    // when its own last reply comes. The server can start it no earlier and has finished it by then, and intervals
    // no longer than that keep the search small.
    const waiting = planned.map((_, k) => (k === 0 ? 1 : 2))
    const ready = (k: number): void => {
      if (k < planned.length && --waiting[k] === 0) invoke(k)
    }
    const retries: Array<{ record: HistoryOperation; op: Operation & { kind: 'script' } }> = []
    const done = new Set<number>()
    for (let k = 0; k < planned.length; k++) {
      const { sent, op } = planned[k]
      sent[0].arrived = () => ready(k)
      this.onReplies(sent, (reply) => {
        const record = planned[k].record!
        done.add(k)
        // What client libraries do: EVALSHA, and EVAL only when the server answers NOSCRIPT.
        if (op.kind === 'script' && reply instanceof ReplyError && reply.message.startsWith('NOSCRIPT')) {
          retries.push({ record, op })
        } else this.end(record, reply)
        ready(k + 1)
      })
    }
    await pipeline.roundTrip(all)
    // Invoked but never answered: the connection closed under them.
    for (const [k, { record }] of planned.entries()) if (record && !done.has(k)) this.end(record, LOST)
    if (retries.length === 0 || pipeline.closed) {
      for (const { record } of retries) if (pipeline.closed) this.end(record, LOST)
      return
    }
    const sent = retries.map(({ record, op }) => this.sent(record, this.scriptCommand(op, lastArgs(record), false)))
    const answered = new Set<number>()
    for (const [i, { record }] of retries.entries()) {
      this.onReplies([sent[i]], (reply) => {
        answered.add(i)
        this.end(record, reply)
      })
    }
    await pipeline.roundTrip(sent)
    for (const [i, { record }] of retries.entries()) if (!answered.has(i)) this.end(record, LOST)
  }

  /** WATCH and GET together, then the transaction that writes what GET read plus one. */
  private async watchIncrement(pipeline: Pipeline, key: string): Promise<void> {
    const watch = this.deps.recorder.invoke(this.id, { argv: ['WATCH', key] })
    const first = [this.sent(watch, ['WATCH', key]), { argv: ['GET', key], op: -1, call: { argv: ['GET', key] } }]
    let get: HistoryOperation | undefined
    let current: Outcome = LOST
    let watched = false
    // GET counts as invoked once WATCH's reply came and GET's bytes reached the server, as in sendBatch.
    let waiting = 2
    const ready = (): void => {
      if (--waiting > 0) return
      get = this.deps.recorder.invoke(this.id, { argv: ['GET', key] })
      first[1].op = get.id
      get.calls.push(first[1].call)
    }
    first[1].arrived = ready
    this.onReplies([first[0]], (reply) => {
      watched = true
      this.end(watch, reply)
      ready()
    })
    this.onReplies([first[1]], (reply) => {
      current = reply
      this.end(get!, reply)
    })
    await pipeline.roundTrip(first)
    if (!watched) this.end(watch, LOST)
    if (current === LOST) {
      if (get) this.end(get, LOST)
      return
    }
    const value: Reply = current
    const next = String((Number.parseInt(Buffer.isBuffer(value) ? value.toString('latin1') : '0', 10) || 0) + 1)
    const record = this.deps.recorder.invoke(this.id, { multi: [['SET', key, next]], watch: [key] })
    const sent = [['MULTI'], ['SET', key, next], ['EXEC']].map((argv) => this.sent(record, argv))
    let ended = false
    this.onReplies(sent, (reply) => {
      ended = true
      this.end(record, reply)
    })
    await pipeline.roundTrip(sent)
    if (!ended) this.end(record, LOST)
  }

  /**
   * As each of `sent`'s replies arrives, it joins its call in the history; when the last one arrives, `last` gets it
   * (at that moment, not when the whole round trip is over: the operation's interval ends there).
   */
  private onReplies(sent: readonly Sent[], last: (reply: Reply) => void): void {
    sent.forEach((s, i) => {
      s.received = (reply) => {
        s.call.reply = historyReply(reply)
        if (i === sent.length - 1) last(reply)
      }
    })
  }

  private scriptCommand(op: Operation & { kind: 'script' }, args: string[], bySha: boolean): string[] {
    const source = this.deps.scripts[op.script]
    const tail = [String(op.keys.length), ...op.keys, ...args]
    return bySha ? ['EVALSHA', this.sha(source), ...tail] : ['EVAL', source, ...tail]
  }

  /** A command of `record` about to be sent: its place in the operation's calls, for the tap to match. */
  private sent(record: HistoryOperation, argv: string[]): Sent {
    const call: HistoryCall = { argv }
    record.calls.push(call)
    return { argv, op: record.id, call }
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

/** A script operation's arguments as it sent them (`$now` filled in), from its input. */
function lastArgs(record: HistoryOperation): string[] {
  return 'args' in record.input ? record.input.args : []
}

function isEvalsha(op: Operation): boolean {
  return op.kind === 'script' && op.via === 'evalsha'
}
