/**
 * The coroutine library as Lua 5.1 has it (lbaselib.c's auxresume and friends), on fengari's threads, and able to
 * pass the host's pauses through.
 *
 * 5.1 semantics that differ from fengari's 5.3 library: create and wrap accept Lua functions only ("Lua function
 * expected"); resume refuses a running or normal coroutine with "cannot resume <status> coroutine"; arguments and
 * results are counted against 5.1's C stack limit ("too many arguments to resume" and "too many results to resume"
 * are raised, not returned); wrap adds the position to an error that is a string or a number; the thread argument
 * is a "coroutine expected".
 *
 * Pauses: the host suspends a script by yielding its coroutine (a busy slice that lets the event loop run, or a
 * redis.call paused by the scheduling seam). Inside a coroutine the script created, such a yield would only return to
 * the coroutine.resume that resumed it. So resume tells the host's yields from the script's own: when the coroutine
 * it resumed yielded for the host, resume yields its own thread too (with a continuation that resumes the coroutine
 * again), and so on up to the script's coroutine, which the host suspends. `resumerOf` gives that chain, so the host
 * knows whether a thread can be suspended at all (every thread on the way must be yieldable).
 */
import { lauxlib, type LuaJSFunction, type LuaState, lua, to_luastring } from 'fengari'
import ldebug from 'fengari/src/ldebug.js'
import { checkStack51 } from '../libs/lua51-args.ts'

export interface CoroutineOptions {
  /**
   * True for the coroutine the host runs a script in: inside it, `coroutine.running()` is nil and
   * `coroutine.yield()` fails as it does in Redis's main thread.
   */
  isScriptThread(L: LuaState): boolean
  /** True when the thread that just yielded did so for the host (it waits for something), not for coroutine.yield. */
  yieldingToHost(): boolean
}

/** The thread whose coroutine.resume (or wrapped function) is running each coroutine right now. */
const resumers = new WeakMap<LuaState, LuaState>()

/** The thread that resumed `co` and waits for it, or undefined when `co` is not running under a resume. */
export function resumerOf(co: LuaState): LuaState | undefined {
  return resumers.get(co)
}

type Status = 'running' | 'suspended' | 'normal' | 'dead'

/** 5.1's costatus. */
function status(L: LuaState, co: LuaState): Status {
  if (L === co) return 'running'
  const s = lua.lua_status(co)
  if (s === lua.LUA_YIELD) return 'suspended'
  if (s !== lua.LUA_OK) return 'dead'
  if (lua.lua_getstack(co, 0, new lua.lua_Debug()) > 0) return 'normal'
  return lua.lua_gettop(co) === 0 ? 'dead' : 'suspended'
}

function checkCoroutine(L: LuaState): LuaState {
  const co = lua.lua_tothread(L, 1)
  if (!co) lauxlib.luaL_argerror(L, 1, 'coroutine expected')
  return co as LuaState
}

/** What resume and a wrapped function do with the outcome: `n` results moved onto L, or -1 and the error on top. */
type Finish = (L: LuaState, n: number) => number

/** 5.1's auxresume, handing its outcome to `finish`. */
function auxresume(L: LuaState, co: LuaState, narg: number, finish: Finish, options: CoroutineOptions): number {
  const st = status(L, co)
  if (!checkStack51(co, narg)) lauxlib.luaL_error(L, 'too many arguments to resume')
  if (st !== 'suspended') {
    lua.lua_pushstring(L, `cannot resume ${st} coroutine`)
    return finish(L, -1)
  }
  lua.lua_xmove(L, co, narg)
  return resumeStep(L, co, narg, finish, options)
}

function resumeStep(L: LuaState, co: LuaState, narg: number, finish: Finish, options: CoroutineOptions): number {
  resumers.set(co, L)
  const result = resumeCounted(L, co, narg)
  if (result === lua.LUA_YIELD && options.yieldingToHost()) {
    // Not the script's yield: pass it up, and resume the coroutine where it stopped when this thread is resumed.
    return lua.lua_yieldk(L, 0, 0, (L1) => resumeStep(L1, co, 0, finish, options))
  }
  resumers.delete(co)
  if (result === lua.LUA_OK || result === lua.LUA_YIELD) {
    const nres = lua.lua_gettop(co)
    if (!checkStack51(L, nres + 1)) lauxlib.luaL_error(L, 'too many results to resume')
    lua.lua_xmove(co, L, nres)
    return finish(L, nres)
  }
  lua.lua_xmove(co, L, 1)
  return finish(L, -1)
}

/** Lua 5.1's LUAI_MAXCCALLS. */
const MAX_C_CALLS = 200

/** Coroutines resumed at the last level 5.1 allows, which fengari runs counted one level lower than 5.1 does. */
const countedOneLower = new WeakSet<LuaState>()

/**
 * lua_resume under 5.1's nesting limit. Both count a coroutine's C calls from its resumer's count plus one, but 5.1
 * refuses to resume once the resumer's own count reached LUAI_MAXCCALLS ("C stack overflow", and the coroutine loses
 * its function), where fengari refuses one level earlier with "JS stack overflow". At that last level the coroutine
 * is resumed with its resumer's count lowered by one, and remembered as counted one lower.
 */
function resumeCounted(L: LuaState, co: LuaState, narg: number): number {
  const from = L as unknown as { nCcalls: number }
  const level = from.nCcalls + (countedOneLower.has(L) ? 1 : 0)
  if (level >= MAX_C_CALLS) {
    lua.lua_settop(co, 0)
    lua.lua_pushliteral(co, 'C stack overflow')
    return lua.LUA_ERRRUN
  }
  if (level < MAX_C_CALLS - 1) {
    countedOneLower.delete(co)
    return lua.lua_resume(co, L, narg)
  }
  countedOneLower.add(co)
  from.nCcalls = MAX_C_CALLS - 2
  try {
    return lua.lua_resume(co, L, narg)
  } finally {
    from.nCcalls = level - (countedOneLower.has(L) ? 1 : 0)
  }
}

const finishResume: Finish = (L, n) => {
  if (n < 0) {
    lua.lua_pushboolean(L, false)
    lua.lua_insert(L, -2)
    return 2
  }
  lua.lua_pushboolean(L, true)
  lua.lua_insert(L, -(n + 1))
  return n + 1
}

const finishWrapped: Finish = (L, n) => {
  if (n >= 0) return n
  if (lua.lua_isstring(L, -1)) {
    lauxlib.luaL_where(L, 1)
    lua.lua_insert(L, -2)
    lua.lua_concat(L, 2)
  }
  return lua.lua_error(L)
}

function create(L: LuaState): LuaState {
  if (!lua.lua_isfunction(L, 1) || lua.lua_iscfunction(L, 1)) lauxlib.luaL_argerror(L, 1, 'Lua function expected')
  // The new thread inherits the creator's count hook (lua_newthread copies it), so busy detection and SCRIPT KILL
  // reach code running inside it.
  const co = lua.lua_newthread(L)
  lua.lua_pushvalue(L, 1)
  lua.lua_xmove(L, co, 1)
  return co
}

export function openCoroutine(L: LuaState, options: CoroutineOptions): void {
  const wrapped: LuaJSFunction = (L1) => {
    const co = lua.lua_tothread(L1, lua.lua_upvalueindex(1)) as LuaState
    return auxresume(L1, co, lua.lua_gettop(L1), finishWrapped, options)
  }
  lua.lua_getglobal(L, 'coroutine')
  const C = lua.lua_gettop(L)
  lua.lua_getfield(L, C, 'yield')
  const originalYield = lua.lua_tocfunction(L, -1) as LuaJSFunction
  lua.lua_pop(L, 1)
  const set = (name: string, f: LuaJSFunction | null): void => {
    if (f) lua.lua_pushcfunction(L, f)
    else lua.lua_pushnil(L)
    lua.lua_setfield(L, C, name)
  }
  set('isyieldable', null)
  set('create', (L1) => {
    create(L1)
    return 1
  })
  set('wrap', (L1) => {
    create(L1)
    lua.lua_pushcclosure(L1, wrapped, 1)
    return 1
  })
  set('resume', (L1) => auxresume(L1, checkCoroutine(L1), lua.lua_gettop(L1) - 1, finishResume, options))
  set('status', (L1) => {
    lua.lua_pushstring(L1, status(L1, checkCoroutine(L1)))
    return 1
  })
  set('running', (L1) => {
    if (options.isScriptThread(L1)) lua.lua_pushnil(L1)
    else lua.lua_pushthread(L1)
    return 1
  })
  set('yield', (L1) => {
    if (options.isScriptThread(L1)) {
      ldebug.luaG_runerror(L1, to_luastring('attempt to yield across metamethod/C-call boundary'))
    }
    return originalYield(L1)
  })
  lua.lua_pop(L, 1)
}
