/**
 * The option grammar SET and GETEX share (Redis's parseExtendedStringArgumentsOrReply), and the conversion of their
 * expire argument to an absolute time (getExpireMillisecondsOrReply), with Redis 7.0's exact conflict rules, order
 * of checks and errors.
 */
import { Errors } from '../protocol/reply.ts'
import { LLONG_MAX, parseInt64 } from './args.ts'
import { isCOption } from './c-options.ts'

export const SET_NX = 1
export const SET_XX = 2
export const SET_GET = 4
export const KEEPTTL = 8
export const PERSIST = 16
export const EX = 32
export const PX = 64
export const EXAT = 128
export const PXAT = 256

const ANY_EXPIRE = EX | PX | EXAT | PXAT

export interface StringOptions {
  flags: number
  /** The argument of EX/PX/EXAT/PXAT, if one was given. */
  expire: Buffer | null
}

/**
 * Parses options from argv[first] on. `forSet` selects SET's grammar (NX XX GET KEEPTTL); otherwise GETEX's
 * (PERSIST). Each option is accepted unless a conflicting one came before it, so a repeated option is fine
 * (`EX 1 EX 2`: the last wins) and anything else is `ERR syntax error`.
 */
export function parseStringOptions(argv: Buffer[], first: number, forSet: boolean): StringOptions {
  let flags = 0
  let expire: Buffer | null = null
  for (let j = first; j < argv.length; j++) {
    const opt = argv[j]
    const hasNext = j + 1 < argv.length
    if (forSet && isCOption(opt, 'NX') && !(flags & SET_XX)) {
      flags |= SET_NX
    } else if (forSet && isCOption(opt, 'XX') && !(flags & SET_NX)) {
      flags |= SET_XX
    } else if (forSet && isCOption(opt, 'GET')) {
      flags |= SET_GET
    } else if (forSet && isCOption(opt, 'KEEPTTL') && !(flags & (PERSIST | ANY_EXPIRE))) {
      flags |= KEEPTTL
    } else if (!forSet && isCOption(opt, 'PERSIST') && !(flags & (ANY_EXPIRE | KEEPTTL))) {
      flags |= PERSIST
    } else if (isCOption(opt, 'EX') && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) && hasNext) {
      flags |= EX
      expire = argv[++j]
    } else if (isCOption(opt, 'PX') && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) && hasNext) {
      flags |= PX
      expire = argv[++j]
    } else if (isCOption(opt, 'EXAT') && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) && hasNext) {
      flags |= EXAT
      expire = argv[++j]
    } else if (isCOption(opt, 'PXAT') && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) && hasNext) {
      flags |= PXAT
      expire = argv[++j]
    } else {
      throw Errors.syntax()
    }
  }
  return { flags, expire }
}

/**
 * The absolute expiry time in ms for an EX/PX/EXAT/PXAT argument: not an integer -> `ERR value is not an integer or
 * out of range`; zero, negative, or overflowing int64 once scaled or added to now -> `ERR invalid expire time in
 * '<command>' command`.
 */
export function absoluteExpire(arg: Buffer, flags: number, now: number, command: string): bigint {
  let ms = parseInt64(arg)
  if (ms === null) throw Errors.notInteger()
  const seconds = (flags & (EX | EXAT)) !== 0
  if (ms <= 0n || (seconds && ms > LLONG_MAX / 1000n)) throw Errors.invalidExpire(command)
  if (seconds) ms *= 1000n
  if (flags & (EX | PX)) ms += BigInt(now)
  // Redis adds in int64 and checks for a wrap to a negative value.
  if (ms > LLONG_MAX) throw Errors.invalidExpire(command)
  return ms
}
