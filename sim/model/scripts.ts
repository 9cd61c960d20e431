import { luaNumberArg, luaNumberReply, luaToNumber } from './lua-values.ts'
import { CommandError, type ModelReply } from './reply.ts'

/**
 * Sequential specifications of the workload scripts (fixtures/scripts/*.lua). Each spec states, in terms of model
 * commands, exactly what its Lua does: `call` behaves like `redis.call` (an error reply is thrown and ends the
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

function numberOrFail(value: number | undefined, what: string): number {
  if (value === undefined) throw luaError(`attempt to perform arithmetic on ${what} (a nil value)`)
  return value
}

export const fixtureScripts: ScriptSpec[] = [
  {
    name: 'counter',
    contract:
      "KEYS[1]=counter. local v = tonumber(redis.call('GET', KEYS[1]) or '0') + 1; redis.call('SET', KEYS[1], v); return v",
    run: (call, keys) => {
      const current = numberOrFail(luaToNumber((call('GET', keys[0]) as string | null) ?? '0'), 'current')
      const next = current + 1
      call('SET', keys[0], luaNumberArg(next))
      return luaNumberReply(next)
    },
  },
  {
    name: 'cas',
    contract:
      "KEYS[1]=key, ARGV[1]=expected, ARGV[2]=new. if redis.call('GET', KEYS[1]) == ARGV[1] then SET new, return 1 else return 0",
    run: (call, keys, args) => {
      if (call('GET', keys[0]) !== args[0]) return 0
      call('SET', keys[0], args[1])
      return 1
    },
  },
  {
    name: 'transfer',
    contract:
      'KEYS[1]=from, KEYS[2]=to, ARGV[1]=amount. balance = tonumber(GET from or 0); if balance < amount return 0; ' +
      'DECRBY from amount; INCRBY to amount; return 1',
    run: (call, keys, args) => {
      const amount = numberOrFail(luaToNumber(args[0]), 'amount')
      const balance = numberOrFail(luaToNumber((call('GET', keys[0]) as string | null) ?? '0'), 'balance')
      if (balance < amount) return 0
      call('DECRBY', keys[0], args[0])
      call('INCRBY', keys[1], args[0])
      return 1
    },
  },
  {
    name: 'lock-acquire',
    contract:
      "KEYS[1]=lock, ARGV[1]=owner token, ARGV[2]=ttl ms. return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])",
    // The reply is SET's: status OK (Lua {ok='OK'} comes back as +OK), or nil (false) when the lock is held.
    run: (call, keys, args) => call('SET', keys[0], args[0], 'NX', 'PX', args[1]),
  },
  {
    name: 'lock-release',
    contract:
      "KEYS[1]=lock, ARGV[1]=owner token. if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0",
    run: (call, keys, args) => (call('GET', keys[0]) === args[0] ? call('DEL', keys[0]) : 0),
  },
  {
    name: 'rate-limiter',
    contract:
      'KEYS[1]=window zset, ARGV[1]=now, ARGV[2]=window, ARGV[3]=limit, ARGV[4]=request id. ' +
      'ZREMRANGEBYSCORE KEYS[1] -inf (now - window); if ZCARD < limit then ZADD now id; return 1 else return 0',
    run: (call, keys, args) => {
      const now = numberOrFail(luaToNumber(args[0]), 'now')
      const window = numberOrFail(luaToNumber(args[1]), 'window')
      const limit = numberOrFail(luaToNumber(args[2]), 'limit')
      call('ZREMRANGEBYSCORE', keys[0], '-inf', luaNumberArg(now - window))
      if ((call('ZCARD', keys[0]) as number) >= limit) return 0
      call('ZADD', keys[0], luaNumberArg(now), args[3])
      return 1
    },
  },
  {
    name: 'list-append',
    contract:
      "KEYS[1]=list, ARGV[1]=unique value. redis.call('RPUSH', KEYS[1], ARGV[1]); return redis.call('LRANGE', KEYS[1], 0, -1)",
    run: (call, keys, args) => {
      call('RPUSH', keys[0], args[0])
      return call('LRANGE', keys[0], '0', '-1')
    },
  },
]

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
