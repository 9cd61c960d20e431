import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
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

/**
 * The exact error replies of a script that ends in an error (Redis 7.0): the message, then ` script: <sha>, on
 * @user_script:<line>.` naming the script's SHA1 and the line that raised. For a Lua `error('text')` (or a runtime
 * error) the message is `ERR user_script:<line>: text`; for a `redis.call` that failed it is the command's error as is.
 * The specs of the scripts below give these byte for byte (the differential test holds them to redis-server).
 */
const shaByScript = new Map<string, string>()

function scriptSha(script: string): string {
  let sha = shaByScript.get(script)
  if (sha === undefined) {
    const source = readFileSync(new URL(`../../fixtures/scripts/${script}.lua`, import.meta.url))
    shaByScript.set(script, (sha = createHash('sha1').update(source).digest('hex')))
  }
  return sha
}

/** A redis.call at `line` of `script` failed with `message`: the script's error reply. */
function callFailed(script: string, line: number, message: string): CommandError {
  return new CommandError(`${message} script: ${scriptSha(script)}, on @user_script:${line}.`)
}

/** `error(text)`, or a Lua runtime error, at `line` of `script`: the script's error reply. */
function raisedAt(script: string, line: number, text: string): CommandError {
  return callFailed(script, line, `ERR user_script:${line}: ${text}`)
}

/**
 * `redis.call` at `line`: its reply, or its error reply decorated as the script's (it ends the script). An argument
 * that is nil in Lua (a KEYS or ARGV entry the caller did not pass) is undefined here.
 */
function callAt(script: string, line: number, call: RedisCall, ...argv: Array<string | undefined>): ModelReply {
  try {
    return checkedCall(call, argv)
  } catch (error) {
    if (error instanceof CommandError) throw callFailed(script, line, error.message)
    throw error
  }
}

/** `pcall(redis.call, ...)` and `redis.pcall(...)['err']`: the reply, or the error's message (the script goes on). */
function caught(call: RedisCall, ...argv: Array<string | undefined>): ModelReply {
  try {
    return checkedCall(call, argv)
  } catch (error) {
    if (error instanceof CommandError) return error.message
    throw error
  }
}

/** A call whose arguments include a Lua nil fails before any command runs. */
function checkedCall(call: RedisCall, argv: Array<string | undefined>): ModelReply {
  if (argv.includes(undefined)) throw new CommandError(BAD_ARGUMENT)
  return call(...(argv as string[]))
}

/** The errors `redis.call` raises before running anything (script_lua.c), without the script decoration. */
const NOT_ALLOWED = 'ERR This Redis command is not allowed from script'
const UNKNOWN_COMMAND = 'ERR Unknown Redis command called from script'
const WRONG_ARITY = 'ERR Wrong number of args calling Redis command from script'
const BAD_ARGUMENT = 'ERR Lua redis lib command arguments must be strings or integers'

/**
 * fixtures/scripts/steps.lua, statement by statement: the line of each statement that can end the script, as the
 * error reply names it. Keep in step with the file (the differential test checks them against redis-server).
 */
const STEPS_LINES = { set: 18, incr: 20, push: 22, get: 24, eval: 35, unknown: 40, raise: 44 } as const

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
  {
    name: 'guarded-incr',
    contract:
      'KEYS[1] key (any type), KEYS[2] log list, ARGV[1] tag. pcall(INCR); RPUSH tag (raises on error); ' +
      '{1, value, length} or {0, error message, length}',
    run: (call, keys, args) => {
      const attempt = caught(call, 'INCR', keys[0])
      const length = callAt('guarded-incr', 6, call, 'RPUSH', keys[1], args[0])
      return [typeof attempt === 'number' ? 1 : 0, attempt, length]
    },
  },
  {
    name: 'append-or-raise',
    contract:
      'KEYS[1] key, ARGV[1] text, ARGV[2] limit. APPEND (raises on error); when the length exceeds the limit, ' +
      "error('too long: <length>') with the append kept; else the length",
    run: (call, keys, args) => {
      const length = callAt('append-or-raise', 5, call, 'APPEND', keys[0], args[0]) as number
      const limit = luaToNumber(args[1])
      // `length > limit` is `limit < length` in Lua 5.1, hence the operands' order in the message.
      if (limit === undefined) throw raisedAt('append-or-raise', 6, 'attempt to compare nil with number')
      if (length > limit) throw raisedAt('append-or-raise', 7, `too long: ${luaToString(length)}`)
      return length
    },
  },
  {
    name: 'steps',
    contract:
      'KEYS[1] key (any type), KEYS[2] list, ARGV[1] tag, ARGV[2..] statements (see the file). Each result in ' +
      'order; a raising statement ends the script with its error, earlier writes kept',
    run: (call, keys, args) => {
      const out: ModelReply[] = []
      const [key, list, tag] = [keys[0], keys[1], args[0]]
      for (let i = 1; i < args.length; i++) {
        const luaIndex = i + 1
        switch (args[i]) {
          case 'set':
            callAt('steps', STEPS_LINES.set, call, 'SET', key, tag)
            out.push('OK')
            break
          case 'incr':
            out.push(callAt('steps', STEPS_LINES.incr, call, 'INCR', key))
            break
          case 'push':
            out.push(callAt('steps', STEPS_LINES.push, call, 'RPUSH', list, tag))
            break
          case 'get':
            // GET of a missing key is false in Lua, which becomes a nil element of the reply.
            out.push(callAt('steps', STEPS_LINES.get, call, 'GET', key))
            break
          case 'pcall':
          case 'rpcall':
            out.push(caught(call, 'INCR', key))
            break
          case 'xpcall':
            out.push(caught(call, 'LLEN', key))
            break
          case 'eval':
            throw callFailed('steps', STEPS_LINES.eval, NOT_ALLOWED)
          case 'multi':
            out.push(NOT_ALLOWED)
            break
          case 'unknown':
            throw callFailed('steps', STEPS_LINES.unknown, UNKNOWN_COMMAND)
          case 'arity':
            out.push(WRONG_ARITY)
            break
          case 'raise':
            throw raisedAt('steps', STEPS_LINES.raise, `raised at step ${luaIndex}`)
          default:
            out.push('no such step')
        }
      }
      return out
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
