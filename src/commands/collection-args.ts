/**
 * Argument parsing shared by the hash, list and set commands (and usable by other collection types): Redis's ranged
 * integer helpers with their exact error texts, and the HSCAN/SSCAN/ZSCAN cursor and options.
 */
import { Errors, ReplyError } from '../protocol/reply.ts'
import { isOption, parseInt64 } from './args.ts'

export const LONG_MAX = 9223372036854775807n
export const HALF_LONG_MAX = LONG_MAX / 2n

/**
 * getRangeLongFromObjectOrReply: an int64 within [min, max]. Without `message`, a non-integer gives "value is not an
 * integer or out of range" and an out-of-range one "value is out of range, value must between MIN and MAX"; with
 * `message`, both give `ERR <message>`.
 */
export function rangeLongArg(buf: Buffer, min: bigint, max: bigint, message?: string): number {
  const value = parseInt64(buf)
  if (value === null) throw message ? new ReplyError(`ERR ${message}`) : Errors.notInteger()
  if (value < min || value > max) {
    throw new ReplyError(`ERR ${message ?? `value is out of range, value must between ${min} and ${max}`}`)
  }
  return Number(value)
}

/** getPositiveLongFromObjectOrReply (0 allowed): LPOP/RPOP/SPOP counts. */
export function positiveLongArg(buf: Buffer): number {
  return rangeLongArg(buf, 0n, LONG_MAX, 'value is out of range, must be positive')
}

/** SRANDMEMBER/HRANDFIELD count: any long but LONG_MIN (its negation would overflow), exact. */
export function randomCountArg(buf: Buffer): bigint {
  const value = parseInt64(buf)
  if (value === null) throw Errors.notInteger()
  if (value < -LONG_MAX) {
    throw new ReplyError(`ERR value is out of range, value must between ${-LONG_MAX} and ${LONG_MAX}`)
  }
  return value
}

/**
 * parseScanCursorOrReply: C's strtoul over the whole argument (so "", "+5" and "-1" are accepted, the last one
 * wrapping around), refusing a leading space, trailing bytes and values past 2^64-1.
 */
export function scanCursorArg(buf: Buffer): number {
  const s = buf.toString('latin1')
  const invalid = () => new ReplyError('ERR invalid cursor')
  if (s.length === 0) return 0
  const m = /^([+-]?)(\d+)$/.exec(s)
  if (!m) {
    // strtoul skips leading space, but Redis refuses it; an empty number is cursor 0 only for the empty string.
    throw invalid()
  }
  let value = BigInt(m[2])
  if (value > 18446744073709551615n) throw invalid()
  if (m[1] === '-' && value !== 0n) value = 18446744073709551616n - value
  return Number(value)
}

export interface ScanOptions {
  /** The MATCH pattern as a latin1 string, or null when absent or `*` (matches everything). */
  pattern: string | null
  count: number
}

/** The [MATCH pattern] [COUNT count] options of HSCAN/SSCAN/ZSCAN starting at argv[from], with Redis's errors. */
export function scanOptionsArg(argv: Buffer[], from: number): ScanOptions {
  let pattern: string | null = null
  let count = 10
  for (let i = from; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length
    if (hasValue && isOption(argv[i], 'COUNT')) {
      const value = parseInt64(argv[i + 1])
      if (value === null) throw Errors.notInteger()
      if (value < 1n) throw Errors.syntax()
      count = Number(value)
    } else if (hasValue && isOption(argv[i], 'MATCH')) {
      const p = argv[i + 1]
      pattern = p.length === 1 && p[0] === 0x2a ? null : p.toString('latin1')
    } else {
      throw Errors.syntax()
    }
  }
  return { pattern, count }
}

/** The two-element SCAN reply: cursor as a bulk string, then the elements. */
export function scanReply(cursor: number, items: Buffer[]): [Buffer, Buffer[]] {
  return [Buffer.from(String(cursor)), items]
}
