import { type CommandSpec, firstKey, indexRange, integerArg, listAt } from './command-spec.ts'
import type { KeyspaceDraft } from './keyspace-state.ts'
import { CommandError, errorCode, ModelErrors, type ModelReply, replyMatches } from './reply.ts'
import { appendToList, makeList } from './values.ts'

/**
 * List commands. An emptied list disappears, as in Redis.
 *
 * The blocking forms (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) are specified twice. As commands (`run`), they are what
 * they are inside MULTI, where nothing blocks: the non-blocking pop, or nil when every key is missing. As client
 * operations (`blockingStep`), their reply is what decides: a blocking pop takes effect at one instant of its
 * interval, either when it finds data at once or when a push serves it (under the pusher's lease, so right after the
 * pusher's command), and then it pops from the key its reply names (a served client pops from the key that became
 * ready, not necessarily its first non-empty one); a nil reply (timed out, or CLIENT UNBLOCK ... TIMEOUT) is right at
 * the instant it blocked, when every key was missing; an UNBLOCKED error (CLIENT UNBLOCK ... ERROR) changed nothing.
 */

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

function side(text: string): boolean {
  const upper = text.toUpperCase()
  if (upper === 'LEFT') return true
  if (upper === 'RIGHT') return false
  throw ModelErrors.syntax()
}

/** A blocking command's timeout in seconds: a float, not negative. */
function checkTimeout(text: string): void {
  const seconds = Number(text)
  if (text.trim() === '' || Number.isNaN(seconds)) throw new CommandError('ERR timeout is not a float or out of range')
  if (seconds < 0) throw new CommandError('ERR timeout is negative')
}

/** LMOVE: pops from one end of `from`, pushes at one end of `to`; nil when `from` is missing. */
function move(db: KeyspaceDraft, from: string, to: string, fromHead: boolean, toHead: boolean): ModelReply {
  const source = listAt(db, from)
  if (source === undefined) return null
  listAt(db, to) // WRONGTYPE for a destination of another type, before anything moves
  const items = source.items
  const value = fromHead ? items[0] : items[items.length - 1]
  const rest = fromHead ? items.slice(1) : items.slice(0, -1)
  if (rest.length === 0) db.delete(from)
  else db.set(from, makeList(rest), true)
  const target = listAt(db, to)
  if (toHead) db.set(to, makeList([value, ...(target?.items ?? [])]), true)
  else db.set(to, target === undefined ? makeList([value]) : appendToList(target, [value]), true)
  return value
}

/** BLPOP/BRPOP key... timeout without blocking: [key, element] from the first non-empty list, else nil. */
function blockingPop(db: KeyspaceDraft, argv: readonly string[], fromHead: boolean): ModelReply {
  checkTimeout(argv[argv.length - 1])
  for (const key of argv.slice(1, -1)) {
    if (listAt(db, key) !== undefined) return [key, popOne(db, key, fromHead)]
  }
  return null
}

function popOne(db: KeyspaceDraft, key: string, fromHead: boolean): string {
  const items = listAt(db, key)!.items
  const value = fromHead ? items[0] : items[items.length - 1]
  const rest = fromHead ? items.slice(1) : items.slice(0, -1)
  if (rest.length === 0) db.delete(key)
  else db.set(key, makeList(rest), true)
  return value
}

interface MpopArgs {
  keys: string[]
  fromHead: boolean
  count: number
}

/** LMPOP/BLMPOP arguments from `numkeys` at argv[at]. */
function mpopArgs(argv: readonly string[], at: number): MpopArgs {
  const numkeys = integerArg(argv[at])
  if (numkeys <= 0n) throw new CommandError('ERR numkeys should be greater than 0')
  const whereAt = at + Number(numkeys) + 1
  if (whereAt >= argv.length) throw ModelErrors.syntax()
  const fromHead = side(argv[whereAt])
  let count = 1
  const rest = argv.slice(whereAt + 1)
  if (rest.length === 2 && rest[0].toUpperCase() === 'COUNT') {
    const parsed = integerArg(rest[1])
    if (parsed <= 0n) throw new CommandError('ERR count should be greater than 0')
    count = Number(parsed)
  } else if (rest.length !== 0) throw ModelErrors.syntax()
  return { keys: argv.slice(at + 1, whereAt), fromHead, count }
}

function mpopFrom(db: KeyspaceDraft, key: string, fromHead: boolean, count: number): ModelReply {
  const popped: string[] = []
  while (popped.length < count && listAt(db, key) !== undefined) popped.push(popOne(db, key, fromHead))
  return [key, popped]
}

function mpop(db: KeyspaceDraft, args: MpopArgs): ModelReply {
  for (const key of args.keys) if (listAt(db, key) !== undefined) return mpopFrom(db, key, args.fromHead, args.count)
  return null
}

/** The keys a blocking command waits on, in order. */
function waitedKeys(argv: readonly string[]): string[] {
  const name = argv[0].toUpperCase()
  if (name === 'BLPOP' || name === 'BRPOP') return argv.slice(1, -1)
  if (name === 'BLMPOP') return mpopArgs(argv, 2).keys
  return [argv[1]]
}

/**
 * A blocking command as a client operation whose reply is `output`: applies its effect to `db` and returns whether
 * the reply is possible at this point (see the file comment). Throws CommandError for a malformed command.
 */
export function blockingStep(db: KeyspaceDraft, argv: readonly string[], output: ModelReply): boolean {
  if (output !== null && typeof output === 'object' && !Array.isArray(output)) {
    if (errorCode(output.error) === 'UNBLOCKED') return true
    return replyMatches(replyOf(db, argv), output)
  }
  const name = argv[0].toUpperCase()
  if (output === null) {
    // Nil at the instant it blocked: every key it waits on was missing (a key of another type is a WRONGTYPE).
    return waitedKeys(argv).every((key) => db.get(key) === undefined)
  }
  if ((name === 'BLPOP' || name === 'BRPOP') && Array.isArray(output) && output.length === 2) {
    const [key, value] = output
    if (typeof key !== 'string' || !argv.slice(1, -1).includes(key)) return false
    const list = listAt(db, key)
    if (list === undefined) return false
    return popOne(db, key, name === 'BLPOP') === value
  }
  if (name === 'BLMPOP' && Array.isArray(output) && output.length === 2) {
    const args = mpopArgs(argv, 2)
    const key = output[0]
    if (typeof key !== 'string' || !args.keys.includes(key) || listAt(db, key) === undefined) return false
    return replyMatches(mpopFrom(db, key, args.fromHead, args.count), output)
  }
  // BLMOVE and BRPOPLPUSH wait on one key: the reply follows from the state.
  return replyMatches(replyOf(db, argv), output)
}

/** The command's reply, errors as `{ error }`. */
function replyOf(db: KeyspaceDraft, argv: readonly string[]): ModelReply {
  try {
    const spec = listCommands.find((c) => c.name === argv[0].toUpperCase())!
    if (spec.arity > 0 ? argv.length !== spec.arity : argv.length < -spec.arity) throw ModelErrors.arity(spec.name)
    return spec.run(db, argv)
  } catch (error) {
    if (error instanceof CommandError) return { error: error.message }
    throw error
  }
}

/** Names of the blocking list commands (upper case). */
export const BLOCKING_LIST_COMMANDS: ReadonlySet<string> = new Set(['BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP'])

const moveKeys = (argv: readonly string[]): string[] => [argv[1], argv[2]]

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
    name: 'LMOVE',
    arity: 5,
    keys: moveKeys,
    run: (db, argv) => {
      const fromHead = side(argv[3])
      return move(db, argv[1], argv[2], fromHead, side(argv[4]))
    },
  },
  { name: 'RPOPLPUSH', arity: 3, keys: moveKeys, run: (db, argv) => move(db, argv[1], argv[2], false, true) },
  {
    name: 'LMPOP',
    arity: -4,
    keys: (argv) => mpopArgs(argv, 1).keys,
    run: (db, argv) => mpop(db, mpopArgs(argv, 1)),
  },
  {
    name: 'BLPOP',
    arity: -3,
    keys: (argv) => argv.slice(1, -1),
    run: (db, argv) => blockingPop(db, argv, true),
  },
  {
    name: 'BRPOP',
    arity: -3,
    keys: (argv) => argv.slice(1, -1),
    run: (db, argv) => blockingPop(db, argv, false),
  },
  {
    name: 'BLMOVE',
    arity: 6,
    keys: moveKeys,
    run: (db, argv) => {
      const fromHead = side(argv[3])
      const toHead = side(argv[4])
      checkTimeout(argv[5])
      return move(db, argv[1], argv[2], fromHead, toHead)
    },
  },
  {
    name: 'BRPOPLPUSH',
    arity: 4,
    keys: moveKeys,
    run: (db, argv) => {
      checkTimeout(argv[3])
      return move(db, argv[1], argv[2], false, true)
    },
  },
  {
    name: 'BLMPOP',
    arity: -5,
    keys: (argv) => mpopArgs(argv, 2).keys,
    run: (db, argv) => {
      checkTimeout(argv[1])
      return mpop(db, mpopArgs(argv, 2))
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
