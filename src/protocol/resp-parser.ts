/**
 * Streaming RESP2 request parser (multibulk and inline), written by hand because it is on every byte's path and
 * must enforce Redis's limits exactly: no library we know of bounds allocations by bytes received, reports Redis's
 * error strings, and handles inline commands with sdssplitargs quoting.
 *
 * Invariants:
 * - Input is buffered in one growable buffer that grows only as bytes arrive (at most 2x the bytes held), so a
 *   hostile `$536870912` header allocates nothing until the payload is actually sent.
 * - Header lines (`*N`, `$N`, inline commands) are bounded by INLINE_MAX (64 KB), like Redis's PROTO_INLINE_MAX_SIZE.
 * - A protocol error is sticky: once reported, the parser yields no more commands (the connection is closed).
 */

export const INLINE_MAX = 64 * 1024
export const MULTIBULK_MAX = 1024 * 1024
export const DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024

export class ProtocolError {
  constructor(readonly reason: string) {}
  get message(): string {
    return `ERR Protocol error: ${this.reason}`
  }
}

export interface ParserLimits {
  /** `proto-max-bulk-len`; read on every bulk header so CONFIG SET takes effect at once. */
  maxBulkLen(): number
  /** Unauthenticated clients get much smaller limits in Redis 7.0 (10 elements, 16 KB bulks). */
  authenticated(): boolean
}

const DEFAULT_LIMITS: ParserLimits = { maxBulkLen: () => DEFAULT_PROTO_MAX_BULK_LEN, authenticated: () => true }

const CR = 13
const LF = 10
const INITIAL_CAPACITY = 16 * 1024

export class RespParser {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY)
  private start = 0
  private end = 0
  /** Multibulk state: arguments still expected in the current command (0 = between commands). */
  private pendingArgs = 0
  private args: Buffer[] = []
  /** Length of the bulk payload being waited for, -1 when a `$` header is expected next. */
  private bulkLen = -1
  private failed: ProtocolError | null = null

  constructor(private readonly limits: ParserLimits = DEFAULT_LIMITS) {}

  /** Bytes received but not yet consumed by a complete command. */
  get buffered(): number {
    return this.end - this.start
  }

  /**
   * Feeds one chunk and returns the complete commands it finished, in order, followed by the protocol error if the
   * stream turned out malformed (commands before the error are still returned, as Redis executes them).
   */
  feed(chunk: Uint8Array): { commands: Buffer[][]; error: ProtocolError | null } {
    const commands: Buffer[][] = []
    if (this.failed) return { commands, error: null }
    this.append(chunk)
    const error = this.parse(commands)
    if (error) {
      this.failed = error
      this.release()
    }
    return { commands, error }
  }

  private append(chunk: Uint8Array): void {
    const needed = this.end + chunk.length
    if (needed > this.buf.length) {
      const live = this.end - this.start
      if (live + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copy(this.buf, 0, this.start, this.end)
      } else {
        let capacity = this.buf.length
        while (capacity < live + chunk.length) capacity *= 2
        const grown = Buffer.allocUnsafe(capacity)
        this.buf.copy(grown, 0, this.start, this.end)
        this.buf = grown
      }
      this.end = live
      this.start = 0
    }
    this.buf.set(chunk, this.end)
    this.end += chunk.length
  }

  /** Drops the buffer once it is empty so one huge request does not pin memory for the connection's lifetime. */
  private release(): void {
    if (this.start === this.end) {
      this.start = this.end = 0
      if (this.buf.length > INITIAL_CAPACITY * 4) this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY)
    }
  }

  private parse(out: Buffer[][]): ProtocolError | null {
    for (;;) {
      if (this.pendingArgs === 0) {
        if (this.start === this.end) {
          this.release()
          return null
        }
        if (this.buf[this.start] === 0x2a /* '*' */) {
          const line = this.readLine('too big mbulk count string')
          if (line === null) return null
          if (line instanceof ProtocolError) return line
          const count = parseInteger(this.buf, line.from + 1, line.to)
          if (count === null || count > MULTIBULK_MAX) return new ProtocolError('invalid multibulk length')
          if (count > 10 && !this.limits.authenticated()) return new ProtocolError('unauthenticated multibulk length')
          if (count <= 0) continue
          this.pendingArgs = count
          this.args = []
          this.bulkLen = -1
        } else {
          const result = this.parseInline()
          if (result === null) return null
          if (result instanceof ProtocolError) return result
          if (result.length > 0) out.push(result)
          continue
        }
      }
      // Inside a multibulk command.
      while (this.pendingArgs > 0) {
        if (this.bulkLen === -1) {
          if (this.start === this.end) return null
          const first = this.buf[this.start]
          if (first !== 0x24 /* '$' */) {
            return new ProtocolError(`expected '$', got '${String.fromCharCode(first)}'`)
          }
          const line = this.readLine('too big bulk count string')
          if (line === null) return null
          if (line instanceof ProtocolError) return line
          const len = parseInteger(this.buf, line.from + 1, line.to)
          if (len === null || len < 0 || len > this.limits.maxBulkLen()) return new ProtocolError('invalid bulk length')
          if (len > 16384 && !this.limits.authenticated()) return new ProtocolError('unauthenticated bulk length')
          this.bulkLen = len
        }
        if (this.end - this.start < this.bulkLen + 2) return null
        // Copy out: the input buffer is reused, and arguments may be stored as values in the keyspace.
        const arg = Buffer.allocUnsafe(this.bulkLen)
        this.buf.copy(arg, 0, this.start, this.start + this.bulkLen)
        this.args.push(arg)
        // Redis does not check that the payload is followed by CRLF; it skips two bytes. So do we.
        this.start += this.bulkLen + 2
        this.bulkLen = -1
        this.pendingArgs--
      }
      out.push(this.args)
      this.args = []
    }
  }

  /**
   * Reads one CRLF-terminated header line starting at `start`; returns its bounds (without CRLF) and consumes it, or
   * null when incomplete. A header longer than INLINE_MAX is a protocol error.
   */
  private readLine(tooBig: string): { from: number; to: number } | ProtocolError | null {
    const idx = this.buf.indexOf(CR, this.start)
    if (idx === -1 || idx >= this.end) {
      if (this.end - this.start > INLINE_MAX) return new ProtocolError(tooBig)
      return null
    }
    if (idx - this.start > INLINE_MAX) return new ProtocolError(tooBig)
    if (idx + 1 >= this.end) return null // wait for the LF
    const from = this.start
    this.start = idx + 2
    return { from, to: idx }
  }

  private parseInline(): Buffer[] | ProtocolError | null {
    let idx = this.buf.indexOf(LF, this.start)
    if (idx >= this.end) idx = -1
    if (idx === -1) {
      if (this.end - this.start > INLINE_MAX) return new ProtocolError('too big inline request')
      return null
    }
    if (idx - this.start > INLINE_MAX) return new ProtocolError('too big inline request')
    let lineEnd = idx
    if (lineEnd > this.start && this.buf[lineEnd - 1] === CR) lineEnd--
    const args = splitArgs(this.buf, this.start, lineEnd)
    this.start = idx + 1
    if (args === null) return new ProtocolError('unbalanced quotes in request')
    return args
  }
}

/** Redis's string2ll for header numbers: optional '-', digits only, no leading '+', no spaces, fits in 64 bits. */
function parseInteger(buf: Buffer, from: number, to: number): number | null {
  if (from >= to) return null
  let i = from
  let negative = false
  if (buf[i] === 0x2d) {
    negative = true
    i++
    if (i === to) return null
  }
  if (to - i > 18) return null // beyond any limit we accept; avoids precision loss
  let value = 0
  for (; i < to; i++) {
    const c = buf[i] - 0x30
    if (c < 0 || c > 9) return null
    value = value * 10 + c
  }
  return negative ? -value : value
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
}

function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30
  if (c >= 0x61) return c - 0x61 + 10
  return c - 0x41 + 10
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c
}

/**
 * sdssplitargs: splits an inline command line into arguments, honouring "double quotes" with \n \r \t \b \a \\ \"
 * and \xHH escapes, and 'single quotes' with \' only. A closing quote must be followed by a space or the end.
 * Returns null on unbalanced quotes.
 */
export function splitArgs(buf: Buffer, from: number, to: number): Buffer[] | null {
  const out: Buffer[] = []
  let p = from
  for (;;) {
    while (p < to && isSpace(buf[p])) p++
    if (p >= to) return out
    const bytes: number[] = []
    let inDq = false
    let inSq = false
    for (;;) {
      if (inDq) {
        if (p >= to) return null
        const c = buf[p]
        if (c === 0x5c && p + 3 < to && buf[p + 1] === 0x78 && isHexDigit(buf[p + 2]) && isHexDigit(buf[p + 3])) {
          bytes.push(hexValue(buf[p + 2]) * 16 + hexValue(buf[p + 3]))
          p += 3
        } else if (c === 0x5c && p + 1 < to) {
          p++
          const e = buf[p]
          bytes.push(
            e === 0x6e ? 0x0a : e === 0x72 ? 0x0d : e === 0x74 ? 0x09 : e === 0x62 ? 0x08 : e === 0x61 ? 0x07 : e,
          )
        } else if (c === 0x22) {
          if (p + 1 < to && !isSpace(buf[p + 1])) return null
          inDq = false
          p++
          break
        } else {
          bytes.push(c)
        }
      } else if (inSq) {
        if (p >= to) return null
        const c = buf[p]
        if (c === 0x5c && p + 1 < to && buf[p + 1] === 0x27) {
          p++
          bytes.push(0x27)
        } else if (c === 0x27) {
          if (p + 1 < to && !isSpace(buf[p + 1])) return null
          inSq = false
          p++
          break
        } else {
          bytes.push(c)
        }
      } else {
        if (p >= to) break
        const c = buf[p]
        if (isSpace(c)) break
        if (c === 0x22) inDq = true
        else if (c === 0x27) inSq = true
        else bytes.push(c)
      }
      p++
    }
    out.push(Buffer.from(bytes))
  }
}
