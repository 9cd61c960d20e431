/**
 * The `redis` table scripts see (Redis 7.0's script_lua.c): call, pcall, log, error_reply, status_reply, sha1hex,
 * setresp, set_repl, replicate_commands, breakpoint, debug, acl_check_cmd and the constants. Error texts and which
 * errors are raised (a table {err=...} thrown with lua_error) versus returned are Redis's.
 */
import { type LuaJSFunction, type LuaState, lua } from 'fengari'
import type { LogLevel } from '../engine/logger.ts'
import { ReplyError } from '../protocol/reply.ts'
import { luaArgsToArgv, luaBytes, pushErrorTable } from './conversions.ts'
import type { LuaRuntime } from './lua-runtime.ts'
import { redisCall, resolveScriptCommand } from './redis-call.ts'
import { sha1hex } from './script-cache.ts'

/** The version scripts see in redis.REDIS_VERSION: the Redis release redsim matches. */
export const REDIS_VERSION = '7.0.15'
export const REDIS_VERSION_NUM = 0x07000f

const LOG_LEVELS: LogLevel[] = ['debug', 'verbose', 'notice', 'warning']

/** Raises Redis's error table {err='ERR <message>'}: no position prefix, unlike luaL_error. */
export function raise(L: LuaState, message: string): never {
  pushErrorTable(L, message, false)
  return lua.lua_error(L)
}

function redisLog(runtime: LuaRuntime): LuaJSFunction {
  return (L) => {
    const argc = lua.lua_gettop(L)
    if (argc < 2) raise(L, 'redis.log() requires two arguments or more.')
    if (!lua.lua_isnumber(L, 1)) raise(L, 'First argument must be a number (log level).')
    const level = Math.trunc(lua.lua_tonumber(L, 1))
    if (level < 0 || level > 3) raise(L, 'Invalid debug level.')
    const parts: string[] = []
    for (let i = 2; i <= argc; i++) {
      // lua_tolstring: strings and numbers; other values are skipped.
      if (lua.lua_type(L, i) === lua.LUA_TSTRING || lua.lua_type(L, i) === lua.LUA_TNUMBER) {
        parts.push(luaBytes(lua.lua_tolstring(L, i)!).toString('latin1'))
      }
    }
    runtime.active?.host.engine.logAt(LOG_LEVELS[level], parts.join(' '))
    return 0
  }
}

/** redis.error_reply / redis.status_reply: a one-field table, or an error table for bad arguments. */
function singleFieldReply(field: 'ok' | 'err'): LuaJSFunction {
  return (L) => {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
      pushErrorTable(L, 'wrong number or type of arguments', false)
      return 1
    }
    if (field === 'err') {
      const text = luaBytes(lua.lua_tolstring(L, 1)!).toString('latin1')
      pushErrorTable(L, text.startsWith('-') ? text : `-${text}`, false)
      return 1
    }
    lua.lua_createtable(L, 0, 1)
    lua.lua_pushvalue(L, 1)
    lua.lua_setfield(L, -2, 'ok')
    return 1
  }
}

function redisSha1hex(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) raise(L, 'wrong number of arguments')
  const s = lua.lua_tolstring(L, 1) ?? new Uint8Array(0)
  lua.lua_pushstring(L, sha1hex(s))
  return 1
}

function redisSetresp(runtime: LuaRuntime): LuaJSFunction {
  return (L) => {
    const run = runtime.active
    if (!run) raise(L, 'redis.setresp can only be called inside a script invocation')
    if (lua.lua_gettop(L) !== 1) raise(L, 'redis.setresp() requires one argument.')
    const resp = Math.trunc(lua.lua_tonumber(L, -1))
    if (resp !== 2 && resp !== 3) raise(L, 'RESP version must be 2 or 3.')
    run.resp = resp
    return 0
  }
}

function redisSetRepl(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) raise(L, 'redis.set_repl() requires two arguments.')
  const flags = Math.trunc(lua.lua_tonumber(L, -1))
  if ((flags & ~3) !== 0 || Number.isNaN(lua.lua_tonumber(L, -1))) {
    raise(L, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')
  }
  // redsim has no AOF and no replicas: effects go nowhere else whatever the flags say.
  return 0
}

function redisAclCheckCmd(runtime: LuaRuntime): LuaJSFunction {
  return (L) => {
    const argc = lua.lua_gettop(L)
    if (argc === 0) raise(L, 'Please specify at least one argument for this redis lib call')
    const argv = luaArgsToArgv(L, argc)
    if (!argv) raise(L, 'Lua redis lib command arguments must be strings or integers')
    const run = runtime.active
    if (!run) raise(L, 'redis.acl_check_cmd can only be called inside a script invocation')
    const spec = resolveScriptCommand(run.host.engine.executor.table, argv)
    if (spec instanceof ReplyError) raise(L, 'Invalid command passed to redis.acl_check_cmd()')
    // Without ACL users every command is permitted to the default user.
    lua.lua_pushboolean(L, true)
    return 1
  }
}

export function openRedisLib(L: LuaState, runtime: LuaRuntime): void {
  lua.lua_createtable(L, 0, 24)
  const functions: Array<[string, LuaJSFunction]> = [
    ['call', (L1) => redisCall(runtime, L1, true)],
    ['pcall', (L1) => redisCall(runtime, L1, false)],
    ['log', redisLog(runtime)],
    ['error_reply', singleFieldReply('err')],
    ['status_reply', singleFieldReply('ok')],
    ['sha1hex', redisSha1hex],
    ['setresp', redisSetresp(runtime)],
    ['set_repl', redisSetRepl],
    [
      'replicate_commands',
      (L1) => {
        lua.lua_pushboolean(L1, true)
        return 1
      },
    ],
    [
      'breakpoint',
      (L1) => {
        lua.lua_pushboolean(L1, false)
        return 1
      },
    ],
    ['debug', () => 0],
    ['acl_check_cmd', redisAclCheckCmd(runtime)],
  ]
  for (const [name, f] of functions) {
    lua.lua_pushcfunction(L, f)
    lua.lua_setfield(L, -2, name)
  }
  const constants: Array<[string, number]> = [
    ['LOG_DEBUG', 0],
    ['LOG_VERBOSE', 1],
    ['LOG_NOTICE', 2],
    ['LOG_WARNING', 3],
    ['REPL_NONE', 0],
    ['REPL_AOF', 1],
    ['REPL_SLAVE', 2],
    ['REPL_REPLICA', 2],
    ['REPL_ALL', 3],
    ['REDIS_VERSION_NUM', REDIS_VERSION_NUM],
  ]
  for (const [name, value] of constants) {
    lua.lua_pushnumber(L, value)
    lua.lua_setfield(L, -2, name)
  }
  lua.lua_pushliteral(L, REDIS_VERSION)
  lua.lua_setfield(L, -2, 'REDIS_VERSION')
  lua.lua_setglobal(L, 'redis')
}
