import type { KeyspaceDraft } from './keyspace-state.ts'
import { ModelErrors, type ModelReply } from './reply.ts'
import type { ListValue, Value, ZSetValue } from './values.ts'

/**
 * One command of the sequential specification. `arity` follows Redis (n: exactly n words including the name;
 * -n: at least n). `run` reads and writes the draft and returns the reply, or throws a CommandError.
 */
export interface CommandSpec {
  name: string
  arity: number
  /** The keys the command touches (for partitioning). */
  keys(argv: readonly string[]): string[]
  run(db: KeyspaceDraft, argv: readonly string[]): ModelReply
}

export const firstKey = (argv: readonly string[]): string[] => [argv[1]]
export const allButName = (argv: readonly string[]): string[] => argv.slice(1)
export const everyOther = (argv: readonly string[]): string[] => argv.filter((_, i) => i % 2 === 1)

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Redis's strict integer syntax (no sign '+', no spaces, no leading zeros) within int64, else undefined. */
export function parseInt64(text: string): bigint | undefined {
  if (!/^(0|-?[1-9][0-9]{0,19})$/.test(text)) return undefined
  const value = BigInt(text)
  return value < INT64_MIN || value > INT64_MAX ? undefined : value
}

export function integerArg(text: string): bigint {
  const value = parseInt64(text)
  if (value === undefined) throw ModelErrors.notInteger()
  return value
}

export function inInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX
}

/** An integer reply (a double beyond 2^53, as the history's JSON form also rounds it). */
export function intReply(value: bigint | number): number {
  return Number(value)
}

export function stringAt(db: KeyspaceDraft, key: string): string | undefined {
  const value = db.get(key)
  if (value === undefined || typeof value === 'string') return value
  throw ModelErrors.wrongType()
}

export function listAt(db: KeyspaceDraft, key: string): ListValue | undefined {
  return aggregateAt(db, key, 'list') as ListValue | undefined
}

export function zsetAt(db: KeyspaceDraft, key: string): ZSetValue | undefined {
  return aggregateAt(db, key, 'zset') as ZSetValue | undefined
}

function aggregateAt(db: KeyspaceDraft, key: string, kind: 'list' | 'zset'): Value | undefined {
  const value = db.get(key)
  if (value === undefined) return undefined
  if (typeof value === 'string' || value.kind !== kind) throw ModelErrors.wrongType()
  return value
}

/** Redis's index range normalization (LRANGE, ZRANGE): negative from the end, clamped; undefined if empty. */
export function indexRange(start: bigint, stop: bigint, length: number): [number, number] | undefined {
  const n = BigInt(length)
  let from = start < 0n ? start + n : start
  let to = stop < 0n ? stop + n : stop
  if (from < 0n) from = 0n
  if (from > to || from >= n) return undefined
  if (to >= n) to = n - 1n
  return [Number(from), Number(to)]
}
