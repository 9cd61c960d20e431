import { LuaLimitError, scriptLimits } from '../lua51/fengari-patches.ts'

/**
 * A growable byte buffer for the encoders (cjson, cmsgpack): appends without per-byte allocations. It refuses to
 * grow past the longest string a script may build (proto-max-bulk-len while a script runs), so encoding a table that
 * repeats a large string many times fails with Lua's "string length overflow" instead of exhausting the process.
 */
export class ByteWriter {
  private buf: Uint8Array
  length = 0

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity)
  }

  private reserve(extra: number): void {
    const needed = this.length + extra
    if (needed <= this.buf.length) return
    if (needed > scriptLimits.maxStringLength) throw new LuaLimitError('string length overflow')
    let size = this.buf.length * 2
    while (size < needed) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }

  byte(b: number): void {
    this.reserve(1)
    this.buf[this.length++] = b
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length)
    this.buf.set(data, this.length)
    this.length += data.length
  }

  /** Appends an ASCII string (JSON punctuation, numbers, escapes). */
  ascii(text: string): void {
    this.reserve(text.length)
    for (let i = 0; i < text.length; i++) this.buf[this.length++] = text.charCodeAt(i)
  }

  /** Appends the 8 bytes of a double (or 4 of a float), big-endian, bit for bit (NaN payloads included). */
  float(value: number, size: 4 | 8): void {
    this.reserve(size)
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.length, size)
    if (size === 4) view.setFloat32(0, value)
    else view.setFloat64(0, value)
    this.length += size
  }

  /** The bytes written (a copy the size of the content, for the Lua string). */
  result(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}
