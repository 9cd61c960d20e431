/**
 * The trace hash: SHA-256 over every scheduling decision and every reply of a run, in the order they happened. Two
 * runs with the same hash made the same choices and saw the same answers; `--check-determinism` and `--replay` compare
 * it.
 *
 * Everything is encoded as bytes into one reusable buffer, and the buffer is handed to the hash whenever it fills
 * (and at the end): no string per reply, no growing log, and a native `update` only every few thousand events,
 * because one per decision would cost more than the decision itself. The encoding is a prefix code, so distinct
 * event sequences give distinct byte streams:
 *   decision   site code (1..9, below 0x20), actor id as 16 bits
 *   reply      'R', client id as 16 bits, then the reply: '_' nil, '$' bulk (32-bit length, bytes), ':' integer
 *              (64-bit float), 'I' big integer (decimal text), '*' array (32-bit count, items), '+' status (text),
 *              '-' error (text), 'N' nil array, '?' anything else (its `replyText`)
 *   note       'n', text
 * Texts are a 32-bit byte length then the bytes (UTF-8; error messages and bulk strings are latin1 byte strings).
 */
import { createHash, type Hash } from 'node:crypto'
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
  BigNumberReply,
} from '../src/protocol/reply.ts'

/** Bytes buffered before they go to the hash. */
const CHUNK = 16 * 1024

export class TraceHash {
  private readonly hash: Hash = createHash('sha256')
  private readonly buffer = Buffer.allocUnsafe(CHUNK)
  private length = 0

  decision(actor: number, site: number): void {
    if (this.length + 3 > CHUNK) this.flush()
    const buffer = this.buffer
    let at = this.length
    buffer[at++] = site
    buffer[at++] = actor & 0xff
    buffer[at++] = (actor >>> 8) & 0xff
    this.length = at
  }

  /** A reply delivered to `client`, positioned after the events so far. */
  reply(client: number, reply: Reply): void {
    this.room(3)
    const buffer = this.buffer
    buffer[this.length++] = 0x52 // 'R'
    buffer[this.length++] = client & 0xff
    buffer[this.length++] = (client >>> 8) & 0xff
    this.encode(reply)
  }

  /** Anything else a run wants covered (e.g. the outcome). */
  note(text: string): void {
    this.room(1)
    this.buffer[this.length++] = 0x6e // 'n'
    this.text(text, 'utf8')
  }

  digest(): string {
    this.flush()
    return this.hash.digest('hex')
  }

  private encode(reply: Reply): void {
    if (reply === null)
      this.tag(0x5f) // '_'
    else if (Buffer.isBuffer(reply)) {
      this.tag(0x24) // '$'
      this.bytes(reply)
    } else if (typeof reply === 'string') {
      this.tag(0x24)
      this.text(reply, 'utf8')
    } else if (typeof reply === 'number') {
      this.room(9)
      this.buffer[this.length++] = 0x3a // ':'
      this.buffer.writeDoubleLE(reply, this.length)
      this.length += 8
    } else if (typeof reply === 'bigint') {
      this.tag(0x49) // 'I'
      this.text(reply.toString(), 'latin1')
    } else if (Array.isArray(reply)) {
      this.room(5)
      this.buffer[this.length++] = 0x2a // '*'
      this.uint32(reply.length)
      for (const item of reply) this.encode(item)
    } else if (reply instanceof SimpleString) {
      this.tag(0x2b) // '+'
      this.text(reply.value, 'utf8')
    } else if (reply instanceof ReplyError) {
      this.tag(0x2d) // '-'
      this.text(reply.message, 'latin1')
    } else if (reply instanceof NilArray) {
      this.tag(0x4e) // 'N'
    } else {
      this.tag(0x3f) // '?'
      this.text(replyText(reply), 'utf8')
    }
  }

  private tag(byte: number): void {
    this.room(1)
    this.buffer[this.length++] = byte
  }

  private uint32(value: number): void {
    this.buffer.writeUInt32LE(value, this.length)
    this.length += 4
  }

  private text(text: string, encoding: 'utf8' | 'latin1'): void {
    const size = encoding === 'latin1' ? text.length : Buffer.byteLength(text, 'utf8')
    this.room(4)
    this.uint32(size)
    if (this.length + size > CHUNK) {
      this.flush()
      if (size > CHUNK) {
        this.hash.update(Buffer.from(text, encoding))
        return
      }
    }
    this.length += this.buffer.write(text, this.length, encoding)
  }

  /** A length-prefixed byte string. */
  private bytes(bytes: Buffer): void {
    this.room(4)
    this.uint32(bytes.length)
    if (this.length + bytes.length > CHUNK) {
      this.flush()
      if (bytes.length > CHUNK) {
        this.hash.update(bytes)
        return
      }
    }
    this.length += bytes.copy(this.buffer, this.length)
  }

  private room(bytes: number): void {
    if (this.length + bytes > CHUNK) this.flush()
  }

  private flush(): void {
    if (this.length === 0) return
    this.hash.update(this.buffer.subarray(0, this.length))
    this.length = 0
  }
}

/** Combines per-execution or per-seed hashes into one (order matters). */
export function combineHashes(hashes: readonly string[]): string {
  const hash = createHash('sha256')
  for (const h of hashes) hash.update(h)
  return hash.digest('hex')
}

/** A compact, unambiguous text form of a reply: type tag, then content (bulk strings length-prefixed). */
export function replyText(reply: Reply): string {
  if (reply === null) return '_'
  if (Buffer.isBuffer(reply)) return `$${reply.length}:${reply.toString('latin1')}`
  switch (typeof reply) {
    case 'string':
      return `$${reply.length}:${reply}`
    case 'number':
      return `:${reply}`
    case 'bigint':
      return `:${reply}`
  }
  if (Array.isArray(reply)) {
    let out = `*${reply.length}[`
    for (const item of reply) out += `${replyText(item)},`
    return `${out}]`
  }
  if (reply instanceof SimpleString) return `+${reply.value}`
  if (reply instanceof ReplyError) return `-${reply.message}`
  if (reply instanceof NilArray) return '*-1'
  if (reply instanceof DoubleReply) return `,${reply.value}`
  if (reply instanceof BoolReply) return `#${reply.value ? 't' : 'f'}`
  if (reply instanceof MapReply) return `%${reply.entries.map(([k, v]) => `${replyText(k)}=${replyText(v)}`).join(',')}`
  if (reply instanceof SetReply) return `~${reply.items.map(replyText).join(',')}`
  if (reply instanceof PushReply) return `>${reply.items.map(replyText).join(',')}`
  if (reply instanceof VerbatimReply) return `=${reply.format}:${reply.text}`
  if (reply instanceof BigNumberReply) return `(${reply.digits.toString('latin1')}`
  return `?${String(reply)}`
}
