/**
 * Streaming RESP2 request parser (multibulk and inline), written by hand because it is on every byte's path and
 * must enforce Redis's limits exactly: no library we know of bounds allocations by bytes received, reports Redis's
 * error strings, and handles inline commands with sdssplitargs quoting.
 *
 * The connection asks for one command at a time (`next()`) and runs it before asking for the next, as Redis's
 * processInputBuffer does. That ordering is observable: an `AUTH` lifts the unauthenticated limits for the very next
 * command of the same pipeline, and a `CONFIG SET proto-max-bulk-len` applies to the next command.
 *
 * Invariants:
 * - Input is buffered in one growable buffer that grows only as bytes arrive (at most 2x the bytes held, and never
 *   beyond what the bulk being read needs), so a hostile `$536870912` header allocates nothing until the payload is
 *   actually sent.
 * - A header line (`*N`, `$N`) or inline command that has no terminator after INLINE_MAX (64 KB) buffered bytes is a
 *   protocol error, as Redis's PROTO_INLINE_MAX_SIZE.
 * - A protocol error is sticky: once reported, the parser yields nothing more (the connection is closed).
 */

export const INLINE_MAX = 64 * 1024
/** Redis 7.0 accepts any multibulk count up to INT_MAX (arguments are only allocated as they arrive). */
export const MULTIBULK_MAX = 2147483647
export const DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024
/** `proto-max-bulk-len` cannot be configured below 1 MB, so shorter bulks never need the limit looked up. */
const MIN_PROTO_MAX_BULK_LEN = 1024 * 1024
/** Redis 7.0's limits for clients that still have to AUTH. */
const UNAUTHENTICATED_MULTIBULK_MAX = 10
const UNAUTHENTICATED_BULK_MAX = 16384
/** Bulks at least this big may be handed out as a view of the input buffer instead of copied (Redis's big-arg). */
const BIG_ARG = 32 * 1024
/**
 * Requests with at least this many arguments copy their short arguments into shared blocks of ARENA_BLOCK bytes
 * instead of one small allocation each (see `arenaCopy`).
 */
const ARENA_MIN_ARGS = 65536
const ARENA_BLOCK = 1024 * 1024
/** Command names up to this length are remembered per connection (see `commandName`). */
const NAME_CACHE_MAX_LEN = 24
const NAME_CACHE_SIZE = 8

export class ProtocolError {
  constructor(readonly reason: string) {}
  get message(): string {
    return `ERR Protocol error: ${this.reason}`
  }
}

export interface ParserLimits {
  /** `proto-max-bulk-len`; consulted only for bulks longer than 1 MB, so CONFIG SET takes effect at once. */
  maxBulkLen(): number
  /** Unauthenticated clients get much smaller limits in Redis 7.0 (10 elements, 16 KB bulks). */
  authenticated(): boolean
  /**
   * Whether a multibulk of `count` arguments may be built (src/server/request-limits.ts sizes this to the heap). A
   * refusal ends the stream with a QueryRefused, before any argument is allocated.
   */
  admitMultibulk?(count: number): boolean
}

/**
 * A request refused for the memory it would take: the connection closes without a reply, as Redis closes a client
 * over its limits.
 */
export class QueryRefused extends ProtocolError {}

const DEFAULT_LIMITS: ParserLimits = { maxBulkLen: () => DEFAULT_PROTO_MAX_BULK_LEN, authenticated: () => true }

const CR = 13
const LF = 10
const INITIAL_CAPACITY = 16 * 1024

export class RespParser {
  /** Owned storage; `buf` is either this or, while nothing is left over, the chunk just received (no copy). */
  private storage: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY)
  private buf: Buffer = this.storage
  private start = 0
  private end = 0
  /** Multibulk state: arguments still expected in the current command (0 = between commands). */
  private pendingArgs = 0
  private args: Buffer[] = []
  /** Length of the bulk payload being waited for, -1 when a `$` header is expected next. */
  private bulkLen = -1
  private failed: ProtocolError | null = null
  /** The block short arguments of a very large request are copied into, and how much of it is used. */
  private arena: Buffer | null = null
  private arenaUsed = 0
  /** Recent command names (argv[0]) of this connection, most recent first; see `commandName`. */
  private readonly names: Buffer[] = []

  constructor(private readonly limits: ParserLimits = DEFAULT_LIMITS) {}

  /** Bytes received but not yet consumed by a complete command. */
  get buffered(): number {
    return this.end - this.start
  }

  /** The first bytes (at most `n`) received and not yet consumed, for a log line. */
  head(n: number): Buffer {
    return this.buf.subarray(this.start, Math.min(this.end, this.start + n))
  }

  /** Bytes of memory the parser holds for input (tests assert that hostile headers do not inflate it). */
  get capacity(): number {
    return this.storage.length + (this.buf === this.storage ? 0 : this.buf.length)
  }

  /** The protocol error reported, if any; after one the parser ignores all input. */
  get error(): ProtocolError | null {
    return this.failed
  }

  /** Adds received bytes. The parser keeps no reference to `chunk` beyond what it has not parsed yet. */
  append(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return
    if (this.start === this.end) {
      // Nothing left over: parse straight from the chunk instead of copying it.
      this.buf = chunk
      this.start = 0
      this.end = chunk.length
      return
    }
    this.reserve(chunk.length)
    chunk.copy(this.buf, this.end)
    this.end += chunk.length
  }

  /**
   * The next complete command, `null` when more bytes are needed, or the ProtocolError that ends the stream.
   * Empty commands (`*0`, blank inline lines) are skipped, as Redis does.
   */
  next(): Buffer[] | ProtocolError | null {
    if (this.failed) return null
    const result = this.parse()
    if (result instanceof ProtocolError) {
      this.failed = result
      this.buf = this.storage = Buffer.alloc(0)
      this.start = this.end = 0
      this.args = []
    } else if (this.start === this.end) {
      this.release()
    }
    return result
  }

  /** Appends a chunk and returns every command it completes, then the protocol error if the stream is malformed. */
  feed(chunk: Buffer): { commands: Buffer[][]; error: ProtocolError | null } {
    const commands: Buffer[][] = []
    if (this.failed) return { commands, error: null }
    this.append(chunk)
    for (;;) {
      const next = this.next()
      if (next === null) return { commands, error: null }
      if (next instanceof ProtocolError) return { commands, error: next }
      commands.push(next)
    }
  }

  /** Makes room for `extra` more bytes in owned storage, moving the unparsed bytes to its start. */
  private reserve(extra: number): void {
    const live = this.end - this.start
    const needed = live + extra
    if (this.buf === this.storage && this.end + extra <= this.storage.length) return
    if (needed > this.storage.length) {
      // Double, but never past what the bulk being read needs: memory follows bytes received, not promised.
      let capacity = Math.max(this.storage.length * 2, INITIAL_CAPACITY)
      if (this.bulkLen >= 0) capacity = Math.min(capacity, this.bulkLen + 2)
      capacity = Math.max(capacity, needed)
      const grown = Buffer.allocUnsafe(capacity)
      this.buf.copy(grown, 0, this.start, this.end)
      this.storage = grown
    } else {
      this.buf.copy(this.storage, 0, this.start, this.end)
    }
    this.buf = this.storage
    this.start = 0
    this.end = live
  }

  /**
   * The connection is closed: drops every buffer (input, the command being assembled, the name cache). The parser
   * accepts nothing afterwards; `capacity` is then 0.
   */
  releaseBuffers(): void {
    this.failed ??= new ProtocolError('connection closed')
    this.buf = this.storage = Buffer.alloc(0)
    this.start = this.end = 0
    this.args = []
    this.pendingArgs = 0
    this.bulkLen = -1
    this.names.length = 0
    this.arena = null
  }

  /** Once everything is consumed, drops a big buffer so one huge request does not pin memory for the connection. */
  private release(): void {
    this.start = this.end = 0
    if (this.storage.length > INITIAL_CAPACITY * 4) this.storage = Buffer.allocUnsafe(INITIAL_CAPACITY)
    this.buf = this.storage
  }

  private parse(): Buffer[] | ProtocolError | null {
    for (;;) {
      if (this.pendingArgs === 0) {
        if (this.start === this.end) return null
        if (this.buf[this.start] !== 0x2a /* '*' */) {
          const inline = this.parseInline()
          if (inline === null || inline instanceof ProtocolError) return inline
          if (inline.length > 0) return inline
          continue
        }
        const lineEnd = this.findHeaderEnd()
        if (lineEnd === -1) {
          return this.buffered > INLINE_MAX ? new ProtocolError('too big mbulk count string') : null
        }
        if (lineEnd === -2) return null
        const count = string2ll(this.buf, this.start + 1, lineEnd)
        if (count === null || count > MULTIBULK_MAX) return new ProtocolError('invalid multibulk length')
        if (count > UNAUTHENTICATED_MULTIBULK_MAX && !this.limits.authenticated()) {
          return new ProtocolError('unauthenticated multibulk length')
        }
        if (this.limits.admitMultibulk?.(count) === false) return new QueryRefused('multibulk too large for the heap')
        this.start = lineEnd + 2
        if (count <= 0) continue
        this.pendingArgs = count
        this.args = []
        this.bulkLen = -1
        if (count >= ARENA_MIN_ARGS) {
          this.arena = Buffer.allocUnsafeSlow(ARENA_BLOCK)
          this.arenaUsed = 0
        }
      }
      const done = this.parseBulks()
      if (done !== true) return done
      const command = this.args
      this.args = []
      // The arguments keep the blocks they live in; the parser keeps none of them.
      this.arena = null
      return command
    }
  }

  /** Reads the bulks of the current multibulk; true once all arrived. */
  private parseBulks(): true | ProtocolError | null {
    while (this.pendingArgs > 0) {
      if (this.bulkLen === -1) {
        const lineEnd = this.findHeaderEnd()
        if (lineEnd === -1) {
          return this.buffered > INLINE_MAX ? new ProtocolError('too big bulk count string') : null
        }
        if (lineEnd === -2) return null
        // Like Redis, the '$' is checked only once the whole header line is there.
        const first = this.buf[this.start]
        if (first !== 0x24 /* '$' */) return new ProtocolError(`expected '$', got '${String.fromCharCode(first)}'`)
        const len = string2ll(this.buf, this.start + 1, lineEnd)
        if (len === null || len < 0 || (len > MIN_PROTO_MAX_BULK_LEN && len > this.limits.maxBulkLen())) {
          return new ProtocolError('invalid bulk length')
        }
        if (len > UNAUTHENTICATED_BULK_MAX && !this.limits.authenticated()) {
          return new ProtocolError('unauthenticated bulk length')
        }
        this.start = lineEnd + 2
        this.bulkLen = len
      }
      if (this.end - this.start < this.bulkLen + 2) return null
      const len = this.bulkLen
      this.args.push(this.args.length === 0 && len <= NAME_CACHE_MAX_LEN ? this.commandName(len) : this.takeBulk(len))
      this.bulkLen = -1
      this.pendingArgs--
    }
    return true
  }

  /**
   * Consumes the bulk at `start` and its CRLF, returning the payload as its own Buffer. Redis does not check that the
   * payload is followed by CRLF; it skips two bytes, and so do we. Arguments can become keyspace values, so they must
   * not alias bytes the parser will overwrite: small ones are copied; a big one that fills most of its buffer is
   * handed out as a view and the parser moves to fresh storage (no copy of a large payload, and no large buffer
   * pinned by a small value).
   */
  private takeBulk(len: number): Buffer {
    const from = this.start
    const after = from + len + 2
    if (len >= BIG_ARG && len * 2 >= this.buf.length) {
      const view = this.buf.subarray(from, from + len)
      const restLen = this.end - after
      const fresh = Buffer.allocUnsafe(Math.max(INITIAL_CAPACITY, restLen))
      this.buf.copy(fresh, 0, after, this.end)
      this.storage = this.buf = fresh
      this.start = 0
      this.end = restLen
      return view
    }
    if (this.arena !== null) {
      this.start = after
      return this.arenaCopy(from, len)
    }
    const arg = Buffer.allocUnsafe(len)
    const buf = this.buf
    // Most arguments (names, keys, small values) are short, where a plain loop beats Buffer#copy's overhead.
    if (len <= 32) for (let i = 0; i < len; i++) arg[i] = buf[from + i]
    else buf.copy(arg, 0, from, from + len)
    this.start = after
    return arg
  }

  /**
   * Copies a short argument of a very large request into the current arena block and returns a view of it. Millions
   * of small allocations from Node's pool leave the process's malloc heap fragmented after they are freed (hundreds
   * of megabytes that never go back to the system); a block of ARENA_BLOCK bytes is mapped and unmapped as a whole,
   * so once the request's arguments are garbage the memory is returned. A block lives as long as any argument in it:
   * when such a request stores only some of its arguments (HSET's values but not its fields), their blocks stay.
   */
  private arenaCopy(from: number, len: number): Buffer {
    let arena = this.arena as Buffer
    if (this.arenaUsed + len > arena.length) {
      arena = this.arena = Buffer.allocUnsafeSlow(Math.max(ARENA_BLOCK, len))
      this.arenaUsed = 0
    }
    const at = this.arenaUsed
    this.buf.copy(arena, at, from, from + len)
    this.arenaUsed = at + len
    return arena.subarray(at, at + len)
  }

  /**
   * Consumes a command name (argv[0]) and returns it, as the same Buffer the connection's previous commands with that
   * name got when there is one: a connection mostly repeats a few commands, and a fresh Buffer for each name is an
   * allocation per command that is garbage at once. Sharing is safe because nothing writes into argv, and a command
   * name is never stored as a value.
   */
  private commandName(len: number): Buffer {
    const buf = this.buf
    const from = this.start
    const names = this.names
    for (let n = 0; n < names.length; n++) {
      const name = names[n]
      if (name.length !== len) continue
      let i = 0
      while (i < len && name[i] === buf[from + i]) i++
      if (i < len) continue
      this.start = from + len + 2
      return name
    }
    const name = this.takeBulk(len)
    if (names.length >= NAME_CACHE_SIZE) names.pop()
    names.unshift(name)
    return name
  }

  /**
   * Where the header line at `start` ends (the index of its CR), -2 when the CR is there but not yet the byte after
   * it, or -1 when no CR was found. Like Redis's strchr on the query buffer, a NUL byte before the CR hides it.
   */
  private findHeaderEnd(): number {
    const buf = this.buf
    const end = this.end
    for (let i = this.start; i < end; i++) {
      const c = buf[i]
      if (c === CR) return i + 1 < end ? i : -2
      if (c === 0) return -1
    }
    return -1
  }

  private parseInline(): Buffer[] | ProtocolError | null {
    // Redis looks for '\n' with strchr, which stops at a NUL: a line with a NUL in it is never complete.
    const buf = this.buf
    let newline = -1
    for (let i = this.start; i < this.end; i++) {
      const c = buf[i]
      if (c === LF) {
        newline = i
        break
      }
      if (c === 0) break
    }
    if (newline === -1) {
      return this.buffered > INLINE_MAX ? new ProtocolError('too big inline request') : null
    }
    let lineEnd = newline
    if (lineEnd > this.start && buf[lineEnd - 1] === CR) lineEnd--
    const args = splitArgs(buf, this.start, lineEnd)
    this.start = newline + 1
    if (args === null) return new ProtocolError('unbalanced quotes in request')
    return args
  }
}

const LONG_STR_SIZE = 21

/**
 * Redis's string2ll: optional '-', then digits with no leading zero (a lone "0" is fine), no '+', no spaces, fits in
 * a signed 64-bit integer. Values beyond 2^53 come back rounded; every caller only compares them with limits far
 * below that.
 */
export function string2ll(buf: Uint8Array, from: number, to: number): number | null {
  const len = to - from
  if (len === 0 || len >= LONG_STR_SIZE) return null
  if (len === 1 && buf[from] === 0x30) return 0
  let i = from
  const negative = buf[i] === 0x2d
  if (negative && ++i === to) return null
  const first = buf[i] - 0x30
  if (first < 1 || first > 9) return null
  if (to - i <= 15) {
    let value = 0
    for (; i < to; i++) {
      const d = buf[i] - 0x30
      if (d < 0 || d > 9) return null
      value = value * 10 + d
    }
    return negative ? -value : value
  }
  let big = 0n
  for (; i < to; i++) {
    const d = buf[i] - 0x30
    if (d < 0 || d > 9) return null
    big = big * 10n + BigInt(d)
  }
  if (big > (negative ? 9223372036854775808n : 9223372036854775807n)) return null
  return Number(negative ? -big : big)
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
}

function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30
  if (c >= 0x61) return c - 0x61 + 10
  return c - 0x41 + 10
}

/** C's isspace in the C locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d)
}

/** The byte a double-quoted `\c` stands for: n r t b a are C escapes, anything else is itself. */
function escapedByte(c: number): number {
  switch (c) {
    case 0x6e:
      return 0x0a
    case 0x72:
      return 0x0d
    case 0x74:
      return 0x09
    case 0x62:
      return 0x08
    case 0x61:
      return 0x07
    default:
      return c
  }
}

/**
 * Redis's sdssplitargs over buf[from, to): splits an inline command line into arguments, honouring "double quotes"
 * with \n \r \t \b \a \xHH and \<any> escapes, and 'single quotes' with \' only. A closing quote must be followed by
 * a space or the end of the line. Between arguments any isspace() byte is skipped, but an unquoted argument ends
 * only at a space, \t, \r or \n (so \v and \f are part of it). A NUL ends the line, as it ends the C string.
 * Returns null on unbalanced quotes.
 */
export function splitArgs(buf: Uint8Array, from: number, to: number): Buffer[] | null {
  for (let i = from; i < to; i++) {
    if (buf[i] === 0) {
      to = i
      break
    }
  }
  const out: Buffer[] = []
  let p = from
  for (;;) {
    while (p < to && isSpace(buf[p])) p++
    if (p >= to) return out
    const bytes: number[] = []
    let inDq = false
    let inSq = false
    for (;;) {
      const c = p < to ? buf[p] : 0
      if (inDq) {
        if (c === 0x5c && p + 3 < to && buf[p + 1] === 0x78 && isHexDigit(buf[p + 2]) && isHexDigit(buf[p + 3])) {
          bytes.push(hexValue(buf[p + 2]) * 16 + hexValue(buf[p + 3]))
          p += 3
        } else if (c === 0x5c && p + 1 < to) {
          p++
          bytes.push(escapedByte(buf[p]))
        } else if (c === 0x22) {
          if (p + 1 < to && !isSpace(buf[p + 1])) return null
          p++
          break
        } else if (p >= to) {
          return null
        } else {
          bytes.push(c)
        }
      } else if (inSq) {
        if (c === 0x5c && p + 1 < to && buf[p + 1] === 0x27) {
          p++
          bytes.push(0x27)
        } else if (c === 0x27) {
          if (p + 1 < to && !isSpace(buf[p + 1])) return null
          p++
          break
        } else if (p >= to) {
          return null
        } else {
          bytes.push(c)
        }
      } else if (p >= to || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        if (p < to) p++
        break
      } else if (c === 0x22) {
        inDq = true
      } else if (c === 0x27) {
        inSq = true
      } else {
        bytes.push(c)
      }
      p++
    }
    out.push(Buffer.from(bytes))
  }
}
