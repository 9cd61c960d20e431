/**
 * Encodes replies to RESP2 or RESP3 bytes. Small framing pieces are collected as latin1 text and payload Buffers are
 * kept by reference, so a batch of replies becomes one Buffer.concat and one socket write.
 */
import {
  BoolReply,
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

/** Accumulates encoded replies; `take()` returns them as one Buffer. */
export class ReplyWriter {
  private parts: Buffer[] = []
  private text = ''
  private size = 0

  get byteLength(): number {
    return this.size + this.text.length
  }

  private flushText(): void {
    if (this.text.length > 0) {
      this.parts.push(Buffer.from(this.text, 'latin1'))
      this.size += this.text.length
      this.text = ''
    }
  }

  /** ASCII-only framing text. */
  raw(s: string): void {
    this.text += s
    if (this.text.length > 8192) this.flushText()
  }

  bytes(b: Buffer): void {
    if (b.length < 64) {
      this.text += b.toString('latin1')
      return
    }
    this.flushText()
    this.parts.push(b)
    this.size += b.length
  }

  take(): Buffer {
    this.flushText()
    const out = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size)
    this.parts = []
    this.size = 0
    return out
  }

  write(reply: Reply, protocol: Protocol): void {
    if (reply === null) {
      this.raw(protocol === 3 ? '_\r\n' : '$-1\r\n')
    } else if (Buffer.isBuffer(reply)) {
      this.raw(`$${reply.length}\r\n`)
      this.bytes(reply)
      this.raw('\r\n')
    } else if (typeof reply === 'number' || typeof reply === 'bigint') {
      this.raw(`:${typeof reply === 'number' ? Math.trunc(reply) : reply}\r\n`)
    } else if (typeof reply === 'string') {
      this.write(Buffer.from(reply, 'utf8'), protocol)
    } else if (Array.isArray(reply)) {
      this.raw(`*${reply.length}\r\n`)
      for (const item of reply) this.write(item, protocol)
    } else if (reply instanceof SimpleString) {
      this.raw(`+${reply.value}\r\n`)
    } else if (reply instanceof ReplyError) {
      // Error lines cannot carry newlines; Redis replaces them with spaces.
      this.raw(`-${reply.message.replace(/[\r\n]/g, ' ')}\r\n`)
    } else if (reply instanceof NilArray) {
      this.raw(protocol === 3 ? '_\r\n' : '*-1\r\n')
    } else if (reply instanceof DoubleReply) {
      const text = formatDouble(reply.value)
      if (protocol === 3) this.raw(`,${text}\r\n`)
      else this.write(Buffer.from(text), protocol)
    } else if (reply instanceof BoolReply) {
      if (protocol === 3) this.raw(reply.value ? '#t\r\n' : '#f\r\n')
      else this.write(reply.value ? 1 : null, protocol)
    } else if (reply instanceof MapReply) {
      this.raw(protocol === 3 ? `%${reply.entries.length}\r\n` : `*${reply.entries.length * 2}\r\n`)
      for (const [k, v] of reply.entries) {
        this.write(k, protocol)
        this.write(v, protocol)
      }
    } else if (reply instanceof SetReply) {
      this.raw(protocol === 3 ? `~${reply.items.length}\r\n` : `*${reply.items.length}\r\n`)
      for (const item of reply.items) this.write(item, protocol)
    } else if (reply instanceof VerbatimReply) {
      if (protocol === 3) {
        const body = Buffer.from(`${reply.format}:${reply.text}`, 'utf8')
        this.raw(`=${body.length}\r\n`)
        this.bytes(body)
        this.raw('\r\n')
      } else {
        this.write(Buffer.from(reply.text, 'utf8'), protocol)
      }
    } else if (reply instanceof PushReply) {
      this.raw(protocol === 3 ? `>${reply.items.length}\r\n` : `*${reply.items.length}\r\n`)
      for (const item of reply.items) this.write(item, protocol)
    } else {
      throw new TypeError(`cannot encode reply of type ${typeof reply}`)
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

/** C's `%.<precision>g` for finite doubles. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  // The exponent after rounding to `precision` digits decides between fixed and exponential notation, as in C.
  let [mantissa, e] = value.toExponential(precision - 1).split('e')
  const exponent = Number(e)
  if (exponent < -4 || exponent >= precision) {
    if (mantissa.includes('.')) mantissa = mantissa.replace(/0+$/, '').replace(/\.$/, '')
    const sign = exponent < 0 ? '-' : '+'
    const absExp = Math.abs(exponent)
    return `${mantissa}e${sign}${absExp < 10 ? '0' : ''}${absExp}`
  }
  let s = value.toFixed(Math.max(0, precision - 1 - exponent))
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '')
  return s
}
