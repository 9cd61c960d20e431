/**
 * A minimal RESP client for tests that compare servers byte for byte: it sends raw bytes (or encodes a command as a
 * multibulk) and hands back each reply as the exact bytes the server sent, framed but not decoded.
 */
import net from 'node:net'

export type Arg = string | Buffer | number

/** Encodes a command the way redis-cli and every client library do: a multibulk of bulk strings. */
export function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8')
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/**
 * Where the reply that starts at `pos` ends (exclusive), or -1 if it is not complete yet. Knows every RESP2 and
 * RESP3 type; aggregates are walked element by element, with a count of elements still owed instead of recursion
 * (scripts can return replies nested thousands of levels deep).
 */
export function replyEnd(buf: Buffer, pos: number): number {
  let p = pos
  let owed = 1
  while (owed > 0) {
    owed--
    if (p >= buf.length) return -1
    const lineEnd = buf.indexOf('\r\n', p)
    if (lineEnd === -1) return -1
    const type = String.fromCharCode(buf[p])
    const after = lineEnd + 2
    switch (type) {
      case '+':
      case '-':
      case ':':
      case '_':
      case '#':
      case ',':
      case '(':
        p = after
        break
      case '$':
      case '=':
      case '!': {
        const len = Number(buf.toString('latin1', p + 1, lineEnd))
        if (len < 0) p = after
        else if (buf.length >= after + len + 2) p = after + len + 2
        else return -1
        break
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        const count = Number(buf.toString('latin1', p + 1, lineEnd))
        if (count > 0) owed += type === '%' || type === '|' ? count * 2 : count
        p = after
        break
      }
      default:
        throw new Error(`not a RESP reply at byte ${p}: ${JSON.stringify(buf.toString('latin1', p, p + 40))}`)
    }
  }
  return p
}

export class RawClient {
  /** Received bytes not yet returned; `chunks` are appended to it only when it holds no complete reply. */
  private buffer: Buffer = Buffer.alloc(0)
  private chunks: Buffer[] = []
  private waiter: (() => void) | null = null
  private ended = false
  readonly closed: Promise<void>

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk)
      this.wake()
    })
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true
        this.wake()
        resolve()
      })
    })
    socket.on('error', () => {})
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, noDelay: true })
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new RawClient(socket))
      })
      socket.once('error', reject)
    })
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = null
    w?.()
  }

  private async waitForData(timeoutMs: number, what: string): Promise<void> {
    if (this.ended) throw new Error(`connection closed while waiting for ${what}`)
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve, reject) => {
      this.waiter = resolve
      timer = setTimeout(() => {
        this.waiter = null
        reject(
          new Error(`no ${what} within ${timeoutMs} ms (buffered: ${JSON.stringify(this.buffer.toString('latin1'))})`),
        )
      }, timeoutMs)
    }).finally(() => clearTimeout(timer))
  }

  get socketRaw(): net.Socket {
    return this.socket
  }

  /** Joins the chunks received so far onto the buffer (copying only bytes not yet framed). */
  private gather(): boolean {
    if (this.chunks.length === 0) return false
    this.buffer = Buffer.concat([this.buffer, ...this.chunks])
    this.chunks = []
    return true
  }

  send(data: Buffer | string): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
  }

  /** Sends one command as a multibulk. */
  command(...args: Arg[]): void {
    this.send(encodeCommand(args))
  }

  /** The raw bytes of the next complete reply. */
  async readReply(timeoutMs = 5000): Promise<Buffer> {
    for (;;) {
      const end = replyEnd(this.buffer, 0)
      if (end !== -1) {
        const reply = this.buffer.subarray(0, end)
        this.buffer = this.buffer.subarray(end)
        return reply
      }
      if (!this.gather()) await this.waitForData(timeoutMs, 'reply')
    }
  }

  /** Whether a complete reply has arrived and not been read yet. */
  hasReply(): boolean {
    this.gather()
    return replyEnd(this.buffer, 0) !== -1
  }

  /** Sends a command and returns its raw reply as latin1 text. */
  async call(...args: Arg[]): Promise<string> {
    this.command(...args)
    return (await this.readReply()).toString('latin1')
  }

  /** Everything the server sends until it closes the connection. */
  async readUntilClose(timeoutMs = 5000): Promise<Buffer> {
    while (!this.ended) await this.waitForData(timeoutMs, 'close')
    this.gather()
    const rest = this.buffer
    this.buffer = Buffer.alloc(0)
    return rest
  }

  /** Resolves with true if the server closes within `ms`, false otherwise (for asserting that nothing happens). */
  async closesWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    const result = await Promise.race([this.closed.then(() => true as const), timeout])
    clearTimeout(timer)
    return result
  }

  close(): void {
    this.socket.destroy()
  }
}
