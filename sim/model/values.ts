/**
 * The values of the model keyspace. All immutable: a model state is shared by the search's stack and cache, so a
 * command builds a new value instead of changing the old one. Each aggregate carries its hash, computed once when it
 * is built (and incrementally for RPUSH), so hashing a state never walks a long list again.
 *
 * Strings are latin1 byte strings (one character per byte), like the history's keys and values.
 */

export interface ListValue {
  readonly kind: 'list'
  readonly items: readonly string[]
  readonly hash: number
}

export interface ZSetEntry {
  readonly member: string
  readonly score: number
}

/** A sorted set as an array ordered by (score, member): the workloads' sets are small (a rate-limit window). */
export interface ZSetValue {
  readonly kind: 'zset'
  readonly entries: readonly ZSetEntry[]
  readonly hash: number
}

export type Value = string | ListValue | ZSetValue

export type TypeName = 'string' | 'list' | 'zset'

export function typeOf(value: Value): TypeName {
  return typeof value === 'string' ? 'string' : value.kind
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** FNV-1a over the characters of `text`, continuing from `hash`, then a separator so item boundaries matter. */
export function hashText(hash: number, text: string): number {
  let h = hash
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME)
  return Math.imul(h ^ 0x1ff, FNV_PRIME) // 0x1ff is no latin1 character: an unambiguous item separator
}

export function makeList(items: readonly string[]): ListValue {
  let hash = FNV_OFFSET ^ 0x4c
  for (const item of items) hash = hashText(hash, item)
  return { kind: 'list', items, hash }
}

/** RPUSH without rehashing the existing items: FNV is a left fold, so appending extends the hash. */
export function appendToList(list: ListValue, values: readonly string[]): ListValue {
  let hash = list.hash
  for (const value of values) hash = hashText(hash, value)
  return { kind: 'list', items: list.items.concat(values), hash }
}

export function compareZSetEntries(a: ZSetEntry, b: ZSetEntry): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1
  return a.member < b.member ? -1 : a.member > b.member ? 1 : 0
}

/** `entries` must already be sorted by `compareZSetEntries`. */
export function makeZSet(entries: readonly ZSetEntry[]): ZSetValue {
  let hash = FNV_OFFSET ^ 0x5a
  for (const entry of entries) hash = hashText(hashText(hash, entry.member), String(entry.score))
  return { kind: 'zset', entries, hash }
}

export function valueHash(value: Value): number {
  return typeof value === 'string' ? hashText(FNV_OFFSET ^ 0x53, value) : value.hash
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true
  if (typeof a === 'string' || typeof b === 'string') return false
  if (a.kind !== b.kind || a.hash !== b.hash) return false
  if (a.kind === 'list') {
    const x = a.items
    const y = (b as ListValue).items
    if (x.length !== y.length) return false
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
    return true
  }
  const x = a.entries
  const y = (b as ZSetValue).entries
  if (x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i].member !== y[i].member || x[i].score !== y[i].score) return false
  return true
}

export function describeValue(value: Value): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value.kind === 'list') return `[${value.items.map((item) => JSON.stringify(item)).join(', ')}]`
  return `{${value.entries.map((e) => `${JSON.stringify(e.member)}: ${e.score}`).join(', ')}}`
}
