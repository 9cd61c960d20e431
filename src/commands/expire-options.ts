/**
 * EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT's NX / XX / GT / LT options (Redis 7.0's
 * parseExtendedExpireArgumentsOrReply and the checks in expireGenericCommand).
 */
import { ReplyError } from '../protocol/reply.ts'
import { cText, isCOption } from './c-options.ts'

export const EXPIRE_NX = 1
export const EXPIRE_XX = 2
export const EXPIRE_GT = 4
export const EXPIRE_LT = 8

/**
 * Parses the options after the time argument. Unknown words fail at once (`ERR Unsupported option <word>`); the
 * combination rules are checked after all words are read.
 */
export function parseExpireOptions(argv: Buffer[], first: number): number {
  let flags = 0
  for (let j = first; j < argv.length; j++) {
    const opt = argv[j]
    if (isCOption(opt, 'NX')) flags |= EXPIRE_NX
    else if (isCOption(opt, 'XX')) flags |= EXPIRE_XX
    else if (isCOption(opt, 'GT')) flags |= EXPIRE_GT
    else if (isCOption(opt, 'LT')) flags |= EXPIRE_LT
    else throw new ReplyError(`ERR Unsupported option ${cText(opt)}`)
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    throw new ReplyError('ERR NX and XX, GT or LT options at the same time are not compatible')
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) {
    throw new ReplyError('ERR GT and LT options at the same time are not compatible')
  }
  return flags
}

/**
 * Whether the options allow replacing `current` (undefined: no TTL, which counts as infinite) by `when`.
 * NX: only without a TTL. XX: only with one. GT: only later than the current TTL (never without one).
 * LT: only earlier than the current TTL (always without one).
 */
export function expireAllowed(flags: number, current: number | bigint | undefined, when: bigint): boolean {
  if (flags & EXPIRE_NX && current !== undefined) return false
  if (flags & EXPIRE_XX && current === undefined) return false
  if (flags & EXPIRE_GT && (current === undefined || when <= current)) return false
  if (flags & EXPIRE_LT && current !== undefined && when >= current) return false
  return true
}
