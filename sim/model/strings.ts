import { expiryTime } from './expiry.ts'
import {
  type CommandSpec,
  everyOther,
  firstKey,
  inInt64,
  integerArg,
  intReply,
  allButName,
  parseInt64,
  stringAt,
} from './command-spec.ts'
import type { KeyspaceDraft } from './keyspace-state.ts'
import { CommandError, ModelErrors, type ModelReply } from './reply.ts'

/** String commands. Expiry times are absolute ms of the virtual clock the history's clock operations announce. */

const EXPIRE_OPTIONS = new Set(['EX', 'PX', 'EXAT', 'PXAT'])

function set(db: KeyspaceDraft, argv: readonly string[]): ModelReply {
  let nx = false
  let xx = false
  let get = false
  let keepTtl = false
  let expire: string | undefined
  let expireOption: string | undefined
  for (let i = 3; i < argv.length; i++) {
    const option = argv[i].toUpperCase()
    if (option === 'NX' && !xx) nx = true
    else if (option === 'XX' && !nx) xx = true
    else if (option === 'GET') get = true
    else if (option === 'KEEPTTL' && expire === undefined) keepTtl = true
    else if (EXPIRE_OPTIONS.has(option) && !keepTtl && expire === undefined && i + 1 < argv.length) {
      expireOption = option
      expire = argv[++i]
    } else throw ModelErrors.syntax()
  }
  let expiresAt: number | undefined
  if (expire !== undefined) {
    const amount = integerArg(expire)
    if (amount <= 0n) throw ModelErrors.invalidExpire('set')
    expiresAt = expiryTime(expireOption!, amount, db.now)
    if (expiresAt === undefined) throw ModelErrors.invalidExpire('set')
  }
  const key = argv[1]
  const old = get ? (stringAt(db, key) ?? null) : null
  const exists = db.get(key) !== undefined
  if ((nx && exists) || (xx && !exists)) return get ? old : null
  db.set(key, argv[2], keepTtl)
  if (expiresAt !== undefined) db.setExpiry(key, expiresAt)
  return get ? old : 'OK'
}

function incrementBy(db: KeyspaceDraft, key: string, delta: bigint): ModelReply {
  const current = stringAt(db, key)
  const base = current === undefined ? 0n : parseInt64(current)
  if (base === undefined) throw ModelErrors.notInteger()
  const result = base + delta
  if (!inInt64(result)) throw ModelErrors.overflow()
  db.set(key, result.toString(), true)
  return intReply(result)
}

export const stringCommands: CommandSpec[] = [
  { name: 'GET', arity: 2, keys: firstKey, run: (db, argv) => stringAt(db, argv[1]) ?? null },
  { name: 'SET', arity: -3, keys: firstKey, run: set },
  {
    name: 'SETNX',
    arity: 3,
    keys: firstKey,
    run: (db, argv) => {
      if (db.get(argv[1]) !== undefined) return 0
      db.set(argv[1], argv[2], false)
      return 1
    },
  },
  {
    name: 'GETSET',
    arity: 3,
    keys: firstKey,
    run: (db, argv) => {
      const old = stringAt(db, argv[1]) ?? null
      db.set(argv[1], argv[2], false)
      return old
    },
  },
  {
    name: 'GETDEL',
    arity: 2,
    keys: firstKey,
    run: (db, argv) => {
      const old = stringAt(db, argv[1]) ?? null
      if (old !== null) db.delete(argv[1])
      return old
    },
  },
  { name: 'STRLEN', arity: 2, keys: firstKey, run: (db, argv) => (stringAt(db, argv[1]) ?? '').length },
  {
    name: 'APPEND',
    arity: 3,
    keys: firstKey,
    run: (db, argv) => {
      const value = (stringAt(db, argv[1]) ?? '') + argv[2]
      db.set(argv[1], value, true)
      return value.length
    },
  },
  { name: 'INCR', arity: 2, keys: firstKey, run: (db, argv) => incrementBy(db, argv[1], 1n) },
  { name: 'DECR', arity: 2, keys: firstKey, run: (db, argv) => incrementBy(db, argv[1], -1n) },
  { name: 'INCRBY', arity: 3, keys: firstKey, run: (db, argv) => incrementBy(db, argv[1], integerArg(argv[2])) },
  {
    name: 'DECRBY',
    arity: 3,
    keys: firstKey,
    run: (db, argv) => {
      const delta = integerArg(argv[2])
      if (delta === -(2n ** 63n)) throw new CommandError('ERR decrement would overflow')
      return incrementBy(db, argv[1], -delta)
    },
  },
  {
    name: 'MGET',
    arity: -2,
    keys: allButName,
    run: (db, argv) =>
      argv.slice(1).map((key) => {
        const value = db.get(key)
        return typeof value === 'string' ? value : null
      }),
  },
  {
    name: 'MSET',
    arity: -3,
    keys: everyOther,
    run: (db, argv) => {
      if (argv.length % 2 === 0) throw ModelErrors.arity('mset')
      for (let i = 1; i < argv.length; i += 2) db.set(argv[i], argv[i + 1], false)
      return 'OK'
    },
  },
  {
    name: 'MSETNX',
    arity: -3,
    keys: everyOther,
    run: (db, argv) => {
      if (argv.length % 2 === 0) throw ModelErrors.arity('msetnx')
      for (let i = 1; i < argv.length; i += 2) if (db.get(argv[i]) !== undefined) return 0
      for (let i = 1; i < argv.length; i += 2) db.set(argv[i], argv[i + 1], false)
      return 1
    },
  },
]
