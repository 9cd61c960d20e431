import { luaNumberArg, luaNumberReply, luaToNumber, luaToString } from './lua-values.ts'
import { CommandError, type ModelReply } from './reply.ts'

/**
 * Sequential specifications of the workload scripts (fixtures/scripts/*.lua), written from their Lua and checked
 * against it on a real redis-server by test/linearizability/model-differential.test.ts. Each spec states, in terms of
 * model commands, exactly what its Lua does: `call` behaves like `redis.call` (an error reply is thrown and ends the
 * script, with the writes made so far kept, as in Redis). A script's effect is atomic by definition here: that is
 * the property the checker holds the server to.
 */

export type RedisCall = (...argv: string[]) => ModelReply

export interface ScriptSpec {
  /** The fixture's name, i.e. the file name without `.lua`. */
  name: string
  /** The Lua contract in one line (KEYS, ARGV, reply). */
  contract: string
  run(call: RedisCall, keys: readonly string[], args: readonly string[]): ModelReply
}

/** A Lua runtime error (e.g. arithmetic on nil): the script fails with an `ERR` reply. */
function luaError(what: string): CommandError {
  return new CommandError(`ERR user_script: ${what}`)
}

/** `redis.call('GET', k) or '0'`, then `tonumber`: nil (undefined) when the value is not a number. */
function numberAt(call: RedisCall, key: string): number | undefined {
  return luaToNumber((call('GET', key) as string | null) ?? '0')
}

/** The specs of fixtures/scripts/*.lua, statement by statement (see each file for the contract). */
export const fixtureScripts: ScriptSpec[] = [
  {
    name: 'counter',
    contract:
      'KEYS[1] counter, ARGV[1] increment. v = tonumber(GET or "0") + tonumber(ARGV[1]); SET tostring(v); return v',
    run: (call, keys, args) => {
      const current = numberAt(call, keys[0])
      const increment = luaToNumber(args[0])
      const value = arithmetic(current, 'a nil value') + arithmetic(increment, 'a nil value')
      call('SET', keys[0], luaToString(value))
      return luaNumberReply(value)
    },
  },
  {
    name: 'cas',
    contract: "KEYS[1] key, ARGV[1] expected ('' = absent), ARGV[2] new. 1 when swapped, else 0",
    run: (call, keys, args) => {
      const current = call('GET', keys[0])
      if (!((current === null && args[0] === '') || current === args[0])) return 0
      call('SET', keys[0], args[1])
      return 1
    },
  },
  {
    name: 'transfer',
    contract:
      'KEYS[1] from, KEYS[2] to, ARGV[1] amount. Raises when a balance is not a number; 0 when from = to or the ' +
      'source has too little; else SET both (tostring) and 1',
    run: (call, keys, args) => {
      const amount = luaToNumber(args[0])
      const from = numberAt(call, keys[0])
      const to = numberAt(call, keys[1])
      if (from === undefined || to === undefined) throw luaError('balance is not a number')
      if (keys[0] === keys[1]) return 0
      if (amount === undefined) throw luaError('attempt to compare nil with number')
      if (from < amount) return 0
      call('SET', keys[0], luaToString(from - amount))
      call('SET', keys[1], luaToString(to + amount))
      return 1
    },
  },
  {
    name: 'lock',
    contract:
      "KEYS[1] lock, ARGV[1] 'acquire' or 'release', ARGV[2] owner. acquire: 0 when held, else SET owner and 1; " +
      'release: DEL (1) when the owner matches, else 0',
    run: (call, keys, args) => {
      if (args[0] === 'acquire') {
        if (call('GET', keys[0]) !== null) return 0
        call('SET', keys[0], args[1])
        return 1
      }
      return call('GET', keys[0]) === args[1] ? call('DEL', keys[0]) : 0
    },
  },
  {
    name: 'rate-limiter',
    contract:
      'KEYS[1] window zset, ARGV[1] now (ms), ARGV[2] window (ms), ARGV[3] limit, ARGV[4] request id. ' +
      'ZREMRANGEBYSCORE -inf (now - window); if ZCARD < limit: ZADD now id, PEXPIRE window, 1; else 0',
    run: (call, keys, args) => {
      const now = luaToNumber(args[0])
      const window = luaToNumber(args[1])
      const lowest = arithmetic(now, 'a nil value') - arithmetic(window, 'a nil value')
      call('ZREMRANGEBYSCORE', keys[0], '-inf', luaNumberArg(lowest))
      const limit = luaToNumber(args[2])
      if (limit === undefined) throw luaError('attempt to compare nil with number')
      if ((call('ZCARD', keys[0]) as number) >= limit) return 0
      call('ZADD', keys[0], luaNumberArg(now!), args[3])
      call('PEXPIRE', keys[0], luaNumberArg(window!))
      return 1
    },
  },
  {
    name: 'ttl-read',
    contract: 'KEYS[1] key. {GET, PTTL, GET, EXISTS}, all at the one instant a script sees',
    run: (call, keys) => [call('GET', keys[0]), call('PTTL', keys[0]), call('GET', keys[0]), call('EXISTS', keys[0])],
  },
  {
    name: 'slow-swap',
    contract: 'KEYS[1] key, ARGV[1] loop count, ARGV[2] new value. GET; a long loop; SET new value PX 50; return old',
    run: (call, keys, args) => {
      const before = call('GET', keys[0])
      call('SET', keys[0], args[1], 'PX', '50')
      return before
    },
  },
  {
    name: 'list-append',
    contract: 'KEYS[1] list, ARGV[1] unique value. RPUSH, then return LRANGE 0 -1',
    run: (call, keys, args) => {
      call('RPUSH', keys[0], args[0])
      return call('LRANGE', keys[0], '0', '-1')
    },
  },
]

/** A number for Lua arithmetic, or the error Lua raises on nil. */
function arithmetic(value: number | undefined, what: string): number {
  if (value === undefined) throw luaError(`attempt to perform arithmetic on ${what}`)
  return value
}

/** Looks a script up by name; `_` and `-` and case are interchangeable (`lock_acquire` = `Lock-Acquire`). */
export function scriptRegistry(specs: readonly ScriptSpec[]): (name: string) => ScriptSpec | undefined {
  const byName = new Map(specs.map((spec) => [normalizeScriptName(spec.name), spec]))
  return (name) => byName.get(normalizeScriptName(name))
}

function normalizeScriptName(name: string): string {
  return name
    .replace(/\.lua$/, '')
    .toLowerCase()
    .replace(/_/g, '-')
}
