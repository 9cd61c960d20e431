/**
 * Encodes replies to RESP2 or RESP3 bytes, written straight into a shared slab (as Node's Buffer pool does) so that
 * encoding allocates no strings and no per-reply Buffers: a batch of replies is handed to the socket as a view of the
 * slab (one Buffer.concat only when other connections' replies were interleaved with it). Payloads larger than
 * COPY_LIMIT are not copied but kept by reference: stored strings are never modified in place (see
 * commands/string-growth.ts), so a queued write always sends the bytes the reply had.
 */
import {
  BoolReply,
  BigNumberReply,
  DoubleReply,
  MapReply,
  NilArray,
  PushReply,
  type Reply,
  ReplyError,
  SetReply,
  SimpleString,
  VerbatimReply,
} from './reply.ts'

export type Protocol = 2 | 3

const SLAB_SIZE = 64 * 1024
/** Bulk payloads up to this size are copied into the slab; larger ones go out by reference. */
const COPY_LIMIT = 4 * 1024

/**
 * The slab all writers append to. Bytes below `slabUsed` belong to some writer's batch (pending or handed out) and
 * are never written again; when the slab is full a new one is started and the old one lives as long as its views.
 */
let slab = Buffer.allocUnsafeSlow(SLAB_SIZE)
let slabUsed = 0

/** Bytes of the shared slab (tests check that a slab grown for one huge reply is not kept). */
export function replySlabSize(): number {
  return slab.length
}

/** Accumulates encoded replies; `take()` returns them as one Buffer. */
export class ReplyWriter {
  /** Finished pieces of the batch, in order. */
  private parts: Buffer[] = []
  private partsSize = 0
  /** The piece being written: slab bytes [segStart, segEnd) of `segSlab`. */
  private segSlab: Buffer | null = null
  private segStart = 0
  private segEnd = 0

  get byteLength(): number {
    return this.partsSize + this.segEnd - this.segStart
  }

  /** Ends the current piece (another writer used the slab after it, or a by-reference payload follows). */
  private cut(): void {
    if (this.segSlab !== null && this.segEnd > this.segStart) {
      this.parts.push(this.segSlab.subarray(this.segStart, this.segEnd))
      this.partsSize += this.segEnd - this.segStart
    }
    this.segSlab = null
    this.segStart = this.segEnd = 0
  }

  /** Makes room for `n` bytes at `slabUsed`, continuing the current piece when it ends exactly there. */
  private reserve(n: number): Buffer {
    if (slabUsed + n > slab.length) {
      slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n))
      slabUsed = 0
    }
    if (this.segSlab !== slab || this.segEnd !== slabUsed) {
      this.cut()
      this.segSlab = slab
      this.segStart = this.segEnd = slabUsed
    }
    return slab
  }

  private advance(n: number): void {
    slabUsed += n
    this.segEnd = slabUsed
  }

  /** Latin-1 text (framing, status and error lines): one byte per character. */
  raw(s: string): void {
    const n = s.length
    const out = this.reserve(n)
    if (n > 64) {
      out.write(s, slabUsed, n, 'latin1')
    } else {
      let p = slabUsed
      for (let i = 0; i < n; i++) out[p++] = s.charCodeAt(i)
    }
    this.advance(n)
  }

  /** A type byte, a decimal integer and CRLF, e.g. `$12\r\n`, without building a string. */
  private header(type: number, value: number): void {
    if (value < 0 || value > 0xffffffff) {
      this.raw(`${String.fromCharCode(type)}${value}\r\n`)
      return
    }
    const out = this.reserve(13)
    let p = slabUsed
    out[p++] = type
    let digits = 1
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++
    for (let i = digits - 1, v = value; i >= 0; i--, v = Math.floor(v / 10)) out[p + i] = 0x30 + (v % 10)
    p += digits
    out[p++] = 13
    out[p++] = 10
    this.advance(p - slabUsed)
  }

  bytes(b: Buffer): void {
    const n = b.length
    if (n > COPY_LIMIT) {
      this.cut()
      this.parts.push(b)
      this.partsSize += n
      return
    }
    const out = this.reserve(n)
    if (n <= 32) {
      const p = slabUsed
      for (let i = 0; i < n; i++) out[p + i] = b[i]
    } else {
      b.copy(out, slabUsed)
    }
    this.advance(n)
  }

  private crlf(): void {
    const out = this.reserve(2)
    out[slabUsed] = 13
    out[slabUsed + 1] = 10
    this.advance(2)
  }

  /** Drops whatever is collected (the connection is gone). */
  discard(): void {
    this.parts = []
    this.partsSize = 0
    this.segSlab = null
    this.segStart = this.segEnd = 0
  }

  /** The batch so far as one Buffer; the writer is empty afterwards. */
  take(): Buffer {
    this.cut()
    // A slab grown for one huge piece is not kept as everyone's slab: its bytes live on in this batch only.
    if (slab.length > SLAB_SIZE) {
      slab = Buffer.allocUnsafeSlow(SLAB_SIZE)
      slabUsed = 0
    }
    const parts = this.parts
    const out = parts.length === 1 ? parts[0] : Buffer.concat(parts, this.partsSize)
    this.parts = []
    this.partsSize = 0
    return out
  }

  write(reply: Reply, protocol: Protocol): void {
    if (reply === null) {
      this.raw(protocol === 3 ? '_\r\n' : '$-1\r\n')
    } else if (Buffer.isBuffer(reply)) {
      this.header(0x24 /* $ */, reply.length)
      this.bytes(reply)
      this.crlf()
    } else if (typeof reply === 'number') {
      const n = Math.trunc(reply)
      if (n >= 0 && n <= 0xffffffff) this.header(0x3a /* : */, n)
      else this.raw(`:${n}\r\n`)
    } else if (typeof reply === 'bigint') {
      this.raw(`:${reply}\r\n`)
    } else if (typeof reply === 'string') {
      this.write(Buffer.from(reply, 'utf8'), protocol)
    } else if (Array.isArray(reply)) {
      this.writeNested(reply, protocol)
    } else if (reply instanceof SimpleString) {
      // Piecewise rather than one template string: `+OK` is SET's reply, and a string per reply is garbage.
      this.raw('+')
      this.raw(reply.value)
      this.crlf()
    } else if (reply instanceof ReplyError) {
      // Error lines cannot carry newlines; Redis replaces them with spaces.
      const message = reply.message
      const safe = message.includes('\r') || message.includes('\n') ? message.replace(/[\r\n]/g, ' ') : message
      this.raw(`-${safe}\r\n`)
    } else if (reply instanceof NilArray) {
      this.raw(protocol === 3 ? '_\r\n' : '*-1\r\n')
    } else if (reply instanceof DoubleReply) {
      const text = reply.text ?? formatDouble(reply.value)
      if (protocol === 3) this.raw(`,${text}\r\n`)
      else this.write(Buffer.from(text), protocol)
    } else if (reply instanceof BoolReply) {
      if (protocol === 3) this.raw(reply.value ? '#t\r\n' : '#f\r\n')
      else this.write(reply.value ? 1 : null, protocol)
    } else if (reply instanceof MapReply || reply instanceof SetReply) {
      this.writeNested(reply, protocol)
    } else if (reply instanceof VerbatimReply) {
      if (protocol === 3) {
        const body = Buffer.from(`${reply.format}:${reply.text}`, 'utf8')
        this.raw(`=${body.length}\r\n`)
        this.bytes(body)
        this.raw('\r\n')
      } else {
        this.write(Buffer.from(reply.text, 'utf8'), protocol)
      }
    } else if (reply instanceof BigNumberReply) {
      if (protocol === 3) {
        this.raw('(')
        this.bytes(reply.digits)
        this.raw('\r\n')
      } else {
        this.write(reply.digits, protocol)
      }
    } else if (reply instanceof PushReply) {
      this.writeNested(reply, protocol)
    } else {
      throw new TypeError(`cannot encode reply of type ${typeof reply}`)
    }
  }

  /**
   * Aggregates, walked with an explicit stack instead of recursion: a script may return a reply nested thousands of
   * levels deep (Redis converts up to 7995), which would overflow the JavaScript stack if each level were a call.
   */
  private writeNested(reply: Reply, protocol: Protocol): void {
    const pending: Reply[] = [reply]
    while (pending.length > 0) {
      const r = pending.pop() as Reply
      if (Array.isArray(r)) {
        this.header(0x2a /* * */, r.length)
        for (let i = r.length - 1; i >= 0; i--) pending.push(r[i])
      } else if (r instanceof MapReply) {
        this.raw(protocol === 3 ? `%${r.entries.length}\r\n` : `*${r.entries.length * 2}\r\n`)
        for (let i = r.entries.length - 1; i >= 0; i--) pending.push(r.entries[i][1], r.entries[i][0])
      } else if (r instanceof SetReply || r instanceof PushReply) {
        const marker = r instanceof SetReply ? '~' : '>'
        this.raw(protocol === 3 ? `${marker}${r.items.length}\r\n` : `*${r.items.length}\r\n`)
        for (let i = r.items.length - 1; i >= 0; i--) pending.push(r.items[i])
      } else {
        this.write(r, protocol)
      }
    }
  }
}

/** Encodes one reply on its own (tests, the in-process transport). */
export function encodeReply(reply: Reply, protocol: Protocol = 2): Buffer {
  const w = new ReplyWriter()
  w.write(reply, protocol)
  return w.take()
}

/** RESP3 double formatting as Redis 7.0 does it (%.17g, inf/-inf/nan). */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (value === Number.POSITIVE_INFINITY) return 'inf'
  if (value === Number.NEGATIVE_INFINITY) return '-inf'
  return formatG17(value)
}

/** C's `%.17g`. */
export function formatG17(value: number): string {
  return formatG(value, 17)
}

/**
 * C's `%.<precision>g` (glibc): the value rounded to `precision` significant digits, in fixed notation when the
 * decimal exponent X of the rounded value satisfies -4 <= X < precision, else in exponential notation with at least
 * two exponent digits; trailing zeros and a trailing point removed. Rounding is exact and ties go to even, as glibc
 * rounds the exact binary value; JavaScript's toPrecision rounds ties up, so exact ties are handled here.
 */
export function formatG(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (value === Number.POSITIVE_INFINITY) return 'inf'
  if (value === Number.NEGATIVE_INFINITY) return '-inf'
  const p = precision === 0 ? 1 : precision
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  // Integers with at most `p` digits print as themselves (the common case; no rounding can happen).
  if (Number.isSafeInteger(value) && Math.abs(value) < 10 ** p) return String(value)
  const negative = value < 0
  const { digits, exponent } = roundSignificant(Math.abs(value), p)
  return (negative ? '-' : '') + layoutG(digits, exponent, p)
}

/** Places `digits` (the significant digits d.ddd, no trailing zeros needed) with decimal exponent `exponent`. */
function layoutG(digits: string, exponent: number, p: number): string {
  const trimmed = digits.replace(/0+$/, '') || '0'
  if (exponent < -4 || exponent >= p) {
    const mantissa = trimmed.length > 1 ? `${trimmed[0]}.${trimmed.slice(1)}` : trimmed
    const abs = Math.abs(exponent)
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`
  }
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${trimmed}`
  const intLen = exponent + 1
  if (trimmed.length <= intLen) return trimmed + '0'.repeat(intLen - trimmed.length)
  return `${trimmed.slice(0, intLen)}.${trimmed.slice(intLen)}`
}

/**
 * `value` (> 0, finite) rounded to `p` significant digits: the digit string (length p) and the decimal exponent of
 * its first digit. Uses toExponential unless the exact decimal expansion could end exactly half-way, where the exact
 * expansion (via BigInt) decides with round-half-even.
 */
function roundSignificant(value: number, p: number): { digits: string; exponent: number } {
  if (!mayBeTie(value, p) || p > 100) {
    const [mantissa, exp] = value.toExponential(Math.min(p, 101) - 1).split('e')
    return { digits: mantissa.replace('.', ''), exponent: Number(exp) }
  }
  const { digits: exact, exponent } = exactDecimal(value)
  if (exact.length <= p) return { digits: exact.padEnd(p, '0'), exponent }
  let kept = exact.slice(0, p)
  const rest = exact.slice(p)
  const first = rest.charCodeAt(0) - 0x30
  const roundUp = first > 5 || (first === 5 && (/[1-9]/.test(rest.slice(1)) || Number(kept[p - 1]) % 2 === 1))
  if (!roundUp) return { digits: kept, exponent }
  kept = (BigInt(kept) + 1n).toString()
  if (kept.length > p) return { digits: kept.slice(0, p), exponent: exponent + 1 }
  return { digits: kept, exponent }
}

const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)
/** Index of the high 32-bit word of a double in `u32` (little-endian on every platform Node runs on, but be exact). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0

/** value = mantissa * 2^exponent2 with an odd mantissa (or 0). */
function decompose(value: number): { mantissa: bigint; exponent2: number } {
  f64[0] = value
  const hi = u32[HI]
  const lo = u32[1 - HI]
  const biased = (hi >>> 20) & 0x7ff
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let exponent2: number
  if (biased === 0) {
    exponent2 = -1074
  } else {
    mantissa |= 1n << 52n
    exponent2 = biased - 1075
  }
  while (mantissa > 0n && (mantissa & 1n) === 0n) {
    mantissa >>= 1n
    exponent2++
  }
  return { mantissa, exponent2 }
}

/**
 * A tie needs the exact decimal expansion to have exactly p+1 significant digits. A non-integer m*2^e (m odd, e<0)
 * has exactly -e digits after the point, so its digit count is known up to the integer part's length; integers can
 * only tie when they need more than p digits. Anything else cannot be a tie and takes the fast path.
 */
function mayBeTie(value: number, p: number): boolean {
  if (Number.isInteger(value)) return value >= 10 ** p
  const { exponent2 } = decompose(value)
  const leading = Math.floor(Math.log10(value))
  const significant = leading + 1 + -exponent2
  return Math.abs(significant - (p + 1)) <= 1
}

/** The exact decimal expansion of a positive finite double: significant digits and the exponent of the first. */
function exactDecimal(value: number): { digits: string; exponent: number } {
  const { mantissa, exponent2 } = decompose(value)
  if (exponent2 >= 0) {
    const digits = (mantissa << BigInt(exponent2)).toString()
    return { digits: digits.replace(/0+$/, ''), exponent: digits.length - 1 }
  }
  // m / 2^k = m * 5^k / 10^k
  const k = -exponent2
  const scaled = (mantissa * 5n ** BigInt(k)).toString()
  return { digits: scaled.replace(/0+$/, ''), exponent: scaled.length - 1 - k }
}
