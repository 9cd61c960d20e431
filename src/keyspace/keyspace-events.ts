/**
 * Keyspace notifications (Redis 7.0 notify.c): with `notify-keyspace-events` naming an event's class, a command that
 * changes a key publishes `<event>` on `__keyspace@<db>__:<key>` (K) and `<key>` on `__keyevent@<db>__:<event>` (E),
 * in the order Redis does, through the ordinary pub/sub delivery. The classes are Redis's: g generic, $ string,
 * l list, s set, h hash, z sorted set, x expired, e evicted, t stream, m key miss, n new key, d module.
 *
 * The keyspace holds one of these; the engine connects it to its pub/sub and keeps the mask in step with the config.
 */

export const NOTIFY_KEYSPACE = 1 << 0
export const NOTIFY_KEYEVENT = 1 << 1
export const NOTIFY_GENERIC = 1 << 2
export const NOTIFY_STRING = 1 << 3
export const NOTIFY_LIST = 1 << 4
export const NOTIFY_SET = 1 << 5
export const NOTIFY_HASH = 1 << 6
export const NOTIFY_ZSET = 1 << 7
export const NOTIFY_EXPIRED = 1 << 8
export const NOTIFY_EVICTED = 1 << 9
export const NOTIFY_STREAM = 1 << 10
export const NOTIFY_KEY_MISS = 1 << 11
export const NOTIFY_LOADED = 1 << 12
export const NOTIFY_MODULE = 1 << 13
export const NOTIFY_NEW = 1 << 14

const CLASS_BITS: Record<string, number> = {
  K: NOTIFY_KEYSPACE,
  E: NOTIFY_KEYEVENT,
  g: NOTIFY_GENERIC,
  $: NOTIFY_STRING,
  l: NOTIFY_LIST,
  s: NOTIFY_SET,
  h: NOTIFY_HASH,
  z: NOTIFY_ZSET,
  x: NOTIFY_EXPIRED,
  e: NOTIFY_EVICTED,
  t: NOTIFY_STREAM,
  m: NOTIFY_KEY_MISS,
  d: NOTIFY_MODULE,
  n: NOTIFY_NEW,
}
/** `A`: every class but m (key miss) and n (new key), as Redis's NOTIFY_ALL. */
const ALL = 'g$lshzxetd'

/** keyspaceEventsStringToFlags for an already validated value (the config registry checks the characters). */
export function parseEventClasses(value: string): number {
  let flags = 0
  for (const c of value) {
    if (c === 'A') for (const a of ALL) flags |= CLASS_BITS[a]
    else flags |= CLASS_BITS[c] ?? 0
  }
  return flags
}

export type Publish = (channel: string, message: Buffer) => void

export class KeyspaceEvents {
  private flags = 0
  private publish: Publish | null = null

  /** Follows `notify-keyspace-events` (the engine calls this on every change). */
  configure(value: string): void {
    this.flags = parseEventClasses(value)
  }

  /** Where notifications go: the engine's pub/sub. */
  connect(publish: Publish): void {
    this.publish = publish
  }

  /** notifyKeyspaceEvent: `key` is the latin1 key string, `db` its database's index. */
  notify(type: number, event: string, key: string, db: number): void {
    const flags = this.flags
    if ((flags & type) === 0 || this.publish === null) return
    if (flags & NOTIFY_KEYSPACE) this.publish(`__keyspace@${db}__:${key}`, Buffer.from(event, 'latin1'))
    if (flags & NOTIFY_KEYEVENT) this.publish(`__keyevent@${db}__:${event}`, Buffer.from(key, 'latin1'))
  }
}
