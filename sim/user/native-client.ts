/**
 * The built-in client for simulations of code that uses neither ioredis nor node-redis: `call(...args)`,
 * `eval(script, keys, args)` and `multi(commands)`, RESP2 over one socket, commands pipelined and answered in order.
 * Replies come back as strings, numbers, arrays and null; an error reply rejects with its message.
 *
 * Hand-written because it is small and the simulation must own every byte it sends: a library here would be one more
 * source of timers and buffering between the user's code and the scheduler.
 */
import type { Duplex } from 'node:stream'

/** An error reply inside an array (EXEC's replies) is an `Error` item; a top-level one rejects. */
export type NativeReply = string | number | null | Error | NativeReply[]

interface Waiter {
  resolve: (reply: NativeReply) => void
  reject: (error: Error) => void
}

/** A reply could not be parsed yet: more bytes are needed. */
const INCOMPLETE = Symbol('incomplete')

export class NativeClient {
  private buffer: Buffer = Buffer.alloc(0)
  private readonly waiting: Waiter[] = []
  private closed = false

  constructor(private readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('close', () => this.onClose())
    socket.on('error', () => {})
  }

  /** Sends one command; resolves to its reply. */
  call(...args: Array<string | number | Buffer>): Promise<NativeReply> {
    if (this.closed) return Promise.reject(new Error('connection closed'))
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
    for (const arg of args) {
      const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg))
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'))
    }
    const reply = new Promise<NativeReply>((resolve, reject) => this.waiting.push({ resolve, reject }))
    this.socket.write(Buffer.concat(parts))
    return reply
  }

  eval(script: string, keys: readonly string[] = [], args: ReadonlyArray<string | number> = []): Promise<NativeReply> {
    return this.call('EVAL', script, keys.length, ...keys, ...args)
  }

  /**
   * MULTI, the commands, EXEC, sent together; resolves to EXEC's reply (null when a WATCHed key changed). A command
   * refused while queueing rejects, as EXEC then answers EXECABORT.
   */
  async multi(commands: ReadonlyArray<ReadonlyArray<string | number>>): Promise<NativeReply> {
    const queued = [this.call('MULTI'), ...commands.map((c) => this.call(...c)), this.call('EXEC')]
    const replies = await Promise.allSettled(queued)
    const failed = replies.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
    return (replies[replies.length - 1] as PromiseFulfilledResult<NativeReply>).value
  }

  close(): void {
    if (this.closed) return
    this.socket.end()
    this.onClose()
  }

  private onClose(): void {
    this.closed = true
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('connection closed'))
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    for (;;) {
      const parsed = this.parse(0)
      if (parsed === INCOMPLETE) return
      this.buffer = this.buffer.subarray(parsed.end)
      const waiter = this.waiting.shift()
      if (!waiter) continue
      if (parsed.error !== undefined) waiter.reject(new Error(parsed.error))
      else waiter.resolve(parsed.value)
    }
  }

  /** One RESP2 reply starting at `at`. */
  private parse(at: number): { value: NativeReply; end: number; error?: string } | typeof INCOMPLETE {
    const buffer = this.buffer
    const eol = buffer.indexOf('\r\n', at)
    if (eol === -1) return INCOMPLETE
    const line = buffer.toString('utf8', at + 1, eol)
    switch (buffer[at]) {
      case 0x2b: // '+'
        return { value: line, end: eol + 2 }
      case 0x2d: // '-'
        return { value: null, end: eol + 2, error: line }
      case 0x3a: // ':'
        return { value: Number(line), end: eol + 2 }
      case 0x24: {
        // '$'
        const length = Number(line)
        if (length < 0) return { value: null, end: eol + 2 }
        if (buffer.length < eol + 2 + length + 2) return INCOMPLETE
        return { value: buffer.toString('utf8', eol + 2, eol + 2 + length), end: eol + 2 + length + 2 }
      }
      case 0x2a: {
        // '*'
        const count = Number(line)
        if (count < 0) return { value: null, end: eol + 2 }
        const items: NativeReply[] = []
        let end = eol + 2
        for (let i = 0; i < count; i++) {
          const item = this.parse(end)
          if (item === INCOMPLETE) return INCOMPLETE
          items.push(item.error !== undefined ? new Error(item.error) : item.value)
          end = item.end
        }
        return { value: items, end }
      }
      default:
        throw new Error(`unexpected reply byte ${buffer[at]}`)
    }
  }
}
