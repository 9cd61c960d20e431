/** Argument parsing shared by commands, with Redis's exact rules and errors. */
import { Errors, type ReplyError } from '../protocol/reply.ts'

export const LLONG_MAX = 9223372036854775807n
export const LLONG_MIN = -9223372036854775808n

/** The latin1 key string for argv[i] (lossless for any bytes). */
export function keyOf(argv: Buffer[], i: number): string {
  return argv[i].toString('latin1')
}

/** The key string back to the bytes a client sent. */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1')
}

/** Redis's string2ll: strict decimal, optional '-', no '+', no spaces, no leading zeros, fits in int64. */
export function parseInt64(buf: Buffer): bigint | null {
  const len = buf.length
  if (len === 0 || len > 20) return null
  let i = 0
  if (buf[0] === 0x2d) {
    if (len === 1) return null
    i = 1
  }
  if (buf[i] === 0x30 && len > i + 1) return null // leading zero
  if (buf[i] === 0x30 && i === 1) return null // "-0"
  for (let j = i; j < len; j++) {
    const c = buf[j]
    if (c < 0x30 || c > 0x39) return null
  }
  const value = BigInt(buf.toString('latin1'))
  if (value > LLONG_MAX || value < LLONG_MIN) return null
  return value
}

/** An int64 as a JS number when exact, else a bigint: the integer reply form. */
export function intReply(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value
}

/** An integer argument as a JS number (callers bound it further); throws ERR value is not an integer. */
export function integerArg(buf: Buffer): number {
  // Fast path for short plain numbers.
  if (buf.length > 0 && buf.length < 16) {
    const v = parseInt64(buf)
    if (v === null) throw Errors.notInteger()
    return Number(v)
  }
  const v = parseInt64(buf)
  if (v === null) throw Errors.notInteger()
  return Number(v)
}

/** An integer argument as a bigint (exact int64). */
export function bigIntegerArg(buf: Buffer): bigint {
  const v = parseInt64(buf)
  if (v === null) throw Errors.notInteger()
  return v
}

/**
 * Redis's strtold-based float parsing for INCRBYFLOAT and friends: accepts what strtold accepts in full (leading
 * spaces rejected, "inf"/"nan" rejected by the callers that reject them), returns null otherwise.
 */
export function parseFloatStrict(buf: Buffer): number | null {
  const s = buf.toString('latin1')
  if (s.length === 0 || s.length > 5000) return null
  if (/^\s|\s$/.test(s)) return null
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$/i.test(s)) return null
  const lower = s.toLowerCase().replace(/^\+/, '')
  if (lower === 'inf' || lower === 'infinity') return Number.POSITIVE_INFINITY
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY
  if (lower.endsWith('nan')) return Number.NaN
  return Number(s)
}

/** Case-insensitive comparison of an argument to an ASCII option name (given in upper case). */
export function isOption(buf: Buffer, upper: string): boolean {
  if (buf.length !== upper.length) return false
  for (let i = 0; i < upper.length; i++) {
    let c = buf[i]
    if (c >= 0x61 && c <= 0x7a) c -= 0x20
    if (c !== upper.charCodeAt(i)) return false
  }
  return true
}

export function upper(buf: Buffer): string {
  return buf.toString('latin1').toUpperCase()
}

export function syntaxError(): ReplyError {
  return Errors.syntax()
}
