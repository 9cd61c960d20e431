/**
 * `client-output-buffer-limit`, parsed and printed as Redis 7.0's config.c does, and the limit check of its
 * checkClientOutputBufferLimits.
 *
 * The value is a list of `<class> <hard> <soft> <soft-seconds>` groups, split on single spaces (so two spaces make an
 * empty word and a wrong word count); a class is normal, replica/slave or pubsub (not master). A CONFIG SET changes
 * only the classes it names, all or none of them. CONFIG GET prints the three classes in Redis's order and spelling.
 */
import { MEMORY_UNITS } from './memory-units.ts'

export type LimitClass = 'normal' | 'slave' | 'pubsub'

export interface BufferLimit {
  /** Bytes; 0: no limit. */
  readonly hard: number
  readonly soft: number
  readonly softSeconds: number
}

export type BufferLimits = Readonly<Record<LimitClass, BufferLimit>>

export const DEFAULT_OUTPUT_BUFFER_LIMITS = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'

const CLASS_BY_NAME: Record<string, LimitClass | 'master'> = {
  normal: 'normal',
  slave: 'slave',
  replica: 'slave',
  pubsub: 'pubsub',
  master: 'master',
}
const ORDER: readonly LimitClass[] = ['normal', 'slave', 'pubsub']
const ULLONG_MAX = 18446744073709551615n

/** Redis's memtoull: digits then an optional unit, no sign; the product wraps at 64 bits as in C. */
function memtoull(word: string): bigint | null {
  const m = /^(\d*)([^\d]*)$/.exec(word)
  if (!m) return null
  const unit = MEMORY_UNITS[m[2].toLowerCase()]
  if (unit === undefined || m[1].length >= 128) return null
  const value = m[1] === '' ? 0n : BigInt(m[1])
  if (value > ULLONG_MAX) return null
  return BigInt.asUintN(64, value * unit)
}

/** strtoll over the whole word, then the cast to a C int that Redis stores soft_seconds in. */
function softSeconds(word: string): number | null {
  const m = /^[\t\n\v\f\r ]*([+-]?)(\d*)$/.exec(word)
  if (!m) return null
  if (m[2] === '') return word === '' ? 0 : null
  let value = BigInt(m[2])
  if (m[1] === '-') value = -value
  // strtoll saturates; the int cast then keeps the low 32 bits.
  if (value > 9223372036854775807n) value = 9223372036854775807n
  if (value < -9223372036854775808n) value = -9223372036854775808n
  return Number(BigInt.asIntN(32, value))
}

export function parseOutputBufferLimits(value: string): BufferLimits {
  const limits: Record<LimitClass, BufferLimit> = {
    normal: { hard: 0, soft: 0, softSeconds: 0 },
    slave: { hard: 0, soft: 0, softSeconds: 0 },
    pubsub: { hard: 0, soft: 0, softSeconds: 0 },
  }
  const words = value.split(' ')
  for (let i = 0; i + 3 < words.length; i += 4) {
    const cls = CLASS_BY_NAME[words[i]] as LimitClass
    limits[cls] = { hard: Number(words[i + 1]), soft: Number(words[i + 2]), softSeconds: Number(words[i + 3]) }
  }
  return limits
}

/**
 * CONFIG SET's normalisation: the groups of `raw` applied over `current` (the canonical value), or Redis's reason for
 * refusing the whole value.
 */
export function normalizeOutputBufferLimits(raw: string, current: string): string | { invalid: string } {
  if (raw === '') return current
  const words = raw.split(' ')
  if (words.length % 4 !== 0) return { invalid: 'Wrong number of arguments in buffer limit configuration.' }
  // The current canonical value, class by class, kept as text so that values beyond 2^53 print back exactly.
  const set: Partial<Record<LimitClass, string[]>> = {}
  const currentWords = current.split(' ')
  for (let i = 0; i + 3 < currentWords.length; i += 4) {
    set[CLASS_BY_NAME[currentWords[i]] as LimitClass] = currentWords.slice(i + 1, i + 4)
  }
  for (let i = 0; i < words.length; i += 4) {
    const cls = CLASS_BY_NAME[words[i].toLowerCase()]
    if (cls === undefined || cls === 'master') {
      return { invalid: 'Invalid client class specified in buffer limit configuration.' }
    }
    const hard = memtoull(words[i + 1])
    const soft = memtoull(words[i + 2])
    const seconds = softSeconds(words[i + 3])
    if (hard === null || soft === null || seconds === null || seconds < 0) {
      return { invalid: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' }
    }
    set[cls] = [hard.toString(), soft.toString(), String(seconds)]
  }
  const printed: string[] = []
  for (const cls of ORDER) printed.push(`${cls} ${(set[cls] ?? ['0', '0', '0']).join(' ')}`)
  return printed.join(' ')
}

/**
 * Redis's checkClientOutputBufferLimits: whether a client using `used` bytes of output must be closed. The soft limit
 * counts only once it has been reached continuously for more than its seconds; `softSince` keeps when it was first
 * reached (whole seconds, 0: not reached), and the caller stores the returned value back.
 */
export function overOutputLimit(
  limit: BufferLimit,
  used: number,
  nowSeconds: number,
  softSince: number,
): { close: boolean; softSince: number } {
  const hard = limit.hard > 0 && used >= limit.hard
  let soft = limit.soft > 0 && used >= limit.soft
  if (!soft) return { close: hard, softSince: 0 }
  if (softSince === 0) return { close: hard, softSince: nowSeconds }
  if (nowSeconds - softSince <= limit.softSeconds) soft = false
  return { close: hard || soft, softSince }
}
