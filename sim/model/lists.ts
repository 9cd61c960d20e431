import { type CommandSpec, firstKey, indexRange, integerArg, listAt } from './command-spec.ts'
import type { KeyspaceDraft } from './keyspace-state.ts'
import { ModelErrors, type ModelReply } from './reply.ts'
import { appendToList, makeList } from './values.ts'

/** List commands. An emptied list disappears, as in Redis. */

function push(db: KeyspaceDraft, argv: readonly string[], atHead: boolean): ModelReply {
  const key = argv[1]
  const list = listAt(db, key)
  const values = argv.slice(2)
  if (atHead) {
    // LPUSH k a b pushes a, then b, each at the head: the list starts b, a.
    const items = values.reverse().concat(list?.items ?? [])
    db.set(key, makeList(items), true)
    return items.length
  }
  const next = list === undefined ? makeList(values) : appendToList(list, values)
  db.set(key, next, true)
  return next.items.length
}

function pop(db: KeyspaceDraft, argv: readonly string[], fromHead: boolean): ModelReply {
  if (argv.length > 3) throw ModelErrors.syntax()
  const key = argv[1]
  let count: number | undefined
  if (argv.length === 3) {
    const parsed = integerArg(argv[2])
    if (parsed < 0n) throw ModelErrors.outOfRangePositive()
    count = Number(parsed)
  }
  const list = listAt(db, key)
  if (list === undefined) return null
  const taken = Math.min(count ?? 1, list.items.length)
  const items = list.items
  const popped = fromHead ? items.slice(0, taken) : items.slice(items.length - taken).reverse()
  const rest = fromHead ? items.slice(taken) : items.slice(0, items.length - taken)
  if (rest.length === 0) db.delete(key)
  else if (taken > 0) db.set(key, makeList(rest), true)
  return count === undefined ? popped[0] : popped
}

export const listCommands: CommandSpec[] = [
  { name: 'RPUSH', arity: -3, keys: firstKey, run: (db, argv) => push(db, argv, false) },
  { name: 'LPUSH', arity: -3, keys: firstKey, run: (db, argv) => push(db, argv, true) },
  { name: 'LPOP', arity: -2, keys: firstKey, run: (db, argv) => pop(db, argv, true) },
  { name: 'RPOP', arity: -2, keys: firstKey, run: (db, argv) => pop(db, argv, false) },
  { name: 'LLEN', arity: 2, keys: firstKey, run: (db, argv) => listAt(db, argv[1])?.items.length ?? 0 },
  {
    name: 'LRANGE',
    arity: 4,
    keys: firstKey,
    run: (db, argv) => {
      const start = integerArg(argv[2])
      const stop = integerArg(argv[3])
      const items = listAt(db, argv[1])?.items ?? []
      const range = indexRange(start, stop, items.length)
      return range === undefined ? [] : items.slice(range[0], range[1] + 1)
    },
  },
  {
    name: 'LINDEX',
    arity: 3,
    keys: firstKey,
    run: (db, argv) => {
      const index = integerArg(argv[2])
      const items = listAt(db, argv[1])?.items ?? []
      const at = index < 0n ? index + BigInt(items.length) : index
      return at >= 0n && at < BigInt(items.length) ? items[Number(at)] : null
    },
  },
]
