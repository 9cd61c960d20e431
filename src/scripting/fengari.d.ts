/**
 * Types for the parts of fengari (Lua 5.3 in JavaScript, CommonJS, untyped) that the scripting host uses. Lua strings
 * are byte arrays (`Uint8Array`); a `LuaState` is an opaque thread handle.
 */
declare module 'fengari' {
  export type LuaString = Uint8Array
  export interface LuaState {
    readonly __luaState: unique symbol
  }
  /** A JS function callable from Lua: reads its arguments from the stack, pushes results, returns their count. */
  export type LuaJSFunction = (L: LuaState) => number
  /** A continuation, called when a yielded JS function's coroutine is resumed. */
  export type LuaKFunction = (L: LuaState, status: number, ctx: number) => number
  export type LuaHook = (L: LuaState, ar: LuaDebug) => void

  export class LuaDebug {
    event: number
    name: LuaString | null
    what: LuaString | null
    source: LuaString | null
    currentline: number
    short_src: LuaString | null
  }

  export const lua: {
    LUA_OK: number
    LUA_YIELD: number
    LUA_ERRRUN: number
    LUA_ERRSYNTAX: number
    LUA_ERRMEM: number
    LUA_ERRERR: number
    LUA_TNONE: number
    LUA_TNIL: number
    LUA_TBOOLEAN: number
    LUA_TLIGHTUSERDATA: number
    LUA_TNUMBER: number
    LUA_TSTRING: number
    LUA_TTABLE: number
    LUA_TFUNCTION: number
    LUA_TUSERDATA: number
    LUA_TTHREAD: number
    LUA_MASKCOUNT: number
    LUA_MASKLINE: number
    LUA_MULTRET: number
    LUA_OPLT: number
    LUA_REGISTRYINDEX: number
    LUA_RIDX_GLOBALS: number
    lua_Debug: typeof LuaDebug
    lua_upvalueindex(i: number): number
    lua_absindex(L: LuaState, idx: number): number
    lua_atnativeerror(L: LuaState, f: LuaJSFunction | null): LuaJSFunction | null
    lua_call(L: LuaState, nargs: number, nresults: number): void
    lua_callk(L: LuaState, nargs: number, nresults: number, ctx: number, k: LuaKFunction | null): void
    lua_compare(L: LuaState, a: number, b: number, op: number): boolean
    lua_pcallk(
      L: LuaState,
      nargs: number,
      nresults: number,
      errfunc: number,
      ctx: number,
      k: LuaKFunction | null,
    ): number
    lua_rotate(L: LuaState, idx: number, n: number): void
    lua_isnone(L: LuaState, idx: number): boolean
    lua_isnoneornil(L: LuaState, idx: number): boolean
    lua_isfunction(L: LuaState, idx: number): boolean
    lua_iscfunction(L: LuaState, idx: number): boolean
    lua_checkstack(L: LuaState, n: number): boolean
    lua_concat(L: LuaState, n: number): void
    lua_createtable(L: LuaState, narr: number, nrec: number): void
    lua_error(L: LuaState): never
    lua_getfield(L: LuaState, idx: number, k: string | LuaString): number
    lua_getglobal(L: LuaState, name: string | LuaString): number
    lua_geti(L: LuaState, idx: number, n: number): number
    lua_getinfo(L: LuaState, what: string | LuaString, ar: LuaDebug): number
    lua_getmetatable(L: LuaState, idx: number): boolean
    lua_getstack(L: LuaState, level: number, ar: LuaDebug): number
    lua_gettable(L: LuaState, idx: number): number
    lua_settable(L: LuaState, idx: number): void
    lua_gettop(L: LuaState): number
    lua_insert(L: LuaState, idx: number): void
    lua_isinteger(L: LuaState, idx: number): boolean
    lua_isnumber(L: LuaState, idx: number): boolean
    lua_isstring(L: LuaState, idx: number): boolean
    lua_istable(L: LuaState, idx: number): boolean
    lua_isyieldable(L: LuaState): boolean
    lua_load(
      L: LuaState,
      reader: (L: LuaState, data: unknown) => LuaString | null,
      data: unknown,
      chunkname: string | LuaString,
      mode: string | LuaString | null,
    ): number
    lua_newtable(L: LuaState): void
    lua_newthread(L: LuaState): LuaState
    lua_next(L: LuaState, idx: number): boolean
    lua_pop(L: LuaState, n: number): void
    lua_pushboolean(L: LuaState, b: boolean | number): void
    lua_pushcclosure(L: LuaState, f: LuaJSFunction, n: number): void
    lua_pushcfunction(L: LuaState, f: LuaJSFunction): void
    lua_pushglobaltable(L: LuaState): void
    lua_pushinteger(L: LuaState, n: number): void
    lua_pushlightuserdata(L: LuaState, p: unknown): void
    lua_pushliteral(L: LuaState, s: string): LuaString
    lua_pushlstring(L: LuaState, s: LuaString, len: number): LuaString
    lua_pushnil(L: LuaState): void
    lua_pushnumber(L: LuaState, n: number): void
    lua_pushstring(L: LuaState, s: string | LuaString): LuaString
    lua_pushthread(L: LuaState): boolean
    lua_pushvalue(L: LuaState, idx: number): void
    lua_rawequal(L: LuaState, a: number, b: number): boolean
    lua_rawget(L: LuaState, idx: number): number
    lua_rawgeti(L: LuaState, idx: number, n: number): number
    lua_rawgetp(L: LuaState, idx: number, p: unknown): number
    lua_rawlen(L: LuaState, idx: number): number
    lua_rawset(L: LuaState, idx: number): void
    lua_rawseti(L: LuaState, idx: number, n: number): void
    lua_rawsetp(L: LuaState, idx: number, p: unknown): void
    lua_remove(L: LuaState, idx: number): void
    lua_replace(L: LuaState, idx: number): void
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number
    lua_setfield(L: LuaState, idx: number, k: string | LuaString): void
    lua_setglobal(L: LuaState, name: string | LuaString): void
    lua_sethook(L: LuaState, f: LuaHook | null, mask: number, count: number): void
    lua_setmetatable(L: LuaState, idx: number): void
    lua_setupvalue(L: LuaState, funcindex: number, n: number): LuaString | null
    lua_settop(L: LuaState, idx: number): void
    lua_status(L: LuaState): number
    lua_toboolean(L: LuaState, idx: number): boolean
    lua_tocfunction(L: LuaState, idx: number): LuaJSFunction | null
    lua_tointeger(L: LuaState, idx: number): number
    lua_tolstring(L: LuaState, idx: number): LuaString | null
    lua_tonumber(L: LuaState, idx: number): number
    lua_tonumberx(L: LuaState, idx: number, isnum: null): number | false
    lua_topointer(L: LuaState, idx: number): object | null
    lua_tostring(L: LuaState, idx: number): LuaString | null
    lua_tothread(L: LuaState, idx: number): LuaState | null
    lua_touserdata(L: LuaState, idx: number): unknown
    lua_type(L: LuaState, idx: number): number
    lua_typename(L: LuaState, t: number): LuaString
    lua_xmove(from: LuaState, to: LuaState, n: number): void
    lua_yield(L: LuaState, n: number): number
    lua_yieldk(L: LuaState, n: number, ctx: number, k: LuaKFunction | null): number
  }

  export const lauxlib: {
    luaL_argerror(L: LuaState, arg: number, msg: string | LuaString): never
    luaL_checkany(L: LuaState, arg: number): void
    luaL_checkinteger(L: LuaState, arg: number): number
    luaL_checklstring(L: LuaState, arg: number): LuaString
    luaL_checknumber(L: LuaState, arg: number): number
    luaL_checkstack(L: LuaState, n: number, msg: string | null): void
    luaL_checkstring(L: LuaState, arg: number): LuaString
    luaL_checktype(L: LuaState, arg: number, t: number): void
    luaL_error(L: LuaState, fmt: string | LuaString, ...args: unknown[]): never
    luaL_len(L: LuaState, idx: number): number
    luaL_loadbufferx(
      L: LuaState,
      buff: LuaString,
      size: number,
      name: string | LuaString,
      mode: string | LuaString | null,
    ): number
    luaL_newstate(): LuaState
    luaL_optinteger(L: LuaState, arg: number, def: number): number
    luaL_optnumber(L: LuaState, arg: number, def: number): number
    luaL_optlstring(L: LuaState, arg: number, def: LuaString | null): LuaString | null
    luaL_ref(L: LuaState, t: number): number
    luaL_requiref(L: LuaState, name: string | LuaString, f: LuaJSFunction, glb: number): void
    luaL_tolstring(L: LuaState, idx: number): LuaString
    luaL_callmeta(L: LuaState, obj: number, event: string): boolean
    luaL_getmetafield(L: LuaState, obj: number, event: string): number
    luaL_traceback(L: LuaState, L1: LuaState, msg: LuaString | null, level: number): void
    luaL_typename(L: LuaState, idx: number): LuaString
    luaL_unref(L: LuaState, t: number, ref: number): void
    luaL_where(L: LuaState, level: number): void
  }

  export const lualib: {
    luaopen_base: LuaJSFunction
    luaopen_coroutine: LuaJSFunction
    luaopen_math: LuaJSFunction
    luaopen_string: LuaJSFunction
    luaopen_table: LuaJSFunction
  }

  export function to_luastring(s: string, cache?: boolean): LuaString
  export function to_jsstring(s: LuaString, from?: number, to?: number, replacementChar?: boolean): string
}

/** fengari internals the host patches (see lua51-compat.ts and readonly-tables.ts). */
declare module 'fengari/src/lobject.js' {
  import type { LuaState, LuaString } from 'fengari'
  export interface TValueLike {
    type: number
    value: unknown
    ttisinteger(): boolean
    ttisfloat(): boolean
    setfltvalue(x: number): void
    setivalue(x: number): void
    setsvalue(ts: unknown): void
  }
  export interface TStringLike {
    realstring: LuaString
  }
  const lobject: {
    luaO_str2num(s: LuaString, o: TValueLike): number
    luaO_tostring(L: LuaState, obj: TValueLike): void
    luaO_pushvfstring(L: LuaState, fmt: LuaString, argp: unknown[]): LuaString
    luaO_pushfstring(L: LuaState, fmt: LuaString, ...argp: unknown[]): LuaString
    setsvalue2s(L: LuaState, idx: number, ts: TStringLike): void
    pushsvalue2s(L: LuaState, ts: TStringLike): void
    /** A Lua closure of `n` upvalues; its prototype `p` is set by the caller. */
    LClosure: new (
      L: LuaState,
      n: number,
    ) => { p: unknown; nupvalues: number }
  }
  export default lobject
}

declare module 'fengari/src/lfunc.js' {
  import type { LuaState } from 'fengari'
  const lfunc: {
    /** Gives each upvalue of a new closure a fresh nil value (what lua_load does before setting _ENV). */
    luaF_initupvals(L: LuaState, cl: { nupvalues: number }): void
  }
  export default lfunc
}

declare module 'fengari/src/ltable.js' {
  import type { LuaState } from 'fengari'
  /** One entry of a table's insertion-ordered list (what `next` walks). */
  export interface TableEntry {
    p: TableEntry | undefined
    n: TableEntry | undefined
  }
  export interface TableLike {
    strong: Map<unknown, TableEntry>
    f: TableEntry | undefined
    l: TableEntry | undefined
  }
  const ltable: {
    luaH_setfrom(L: LuaState, t: TableLike, key: unknown, value: unknown): void
    luaH_setint(t: TableLike, key: number, value: unknown): void
  }
  export default ltable
}

declare module 'fengari/src/lstring.js' {
  import type { LuaState, LuaString } from 'fengari'
  const lstring: {
    luaS_bless(L: LuaState, s: LuaString): { realstring: LuaString }
  }
  export default lstring
}

declare module 'fengari/src/ldebug.js' {
  import type { LuaState, LuaString } from 'fengari'
  const ldebug: {
    luaG_runerror(L: LuaState, fmt: LuaString, ...args: unknown[]): never
  }
  export default ldebug
}

declare module 'fengari/src/llex.js' {
  import type { LuaString } from 'fengari'
  const llex: {
    luaX_token2str(ls: unknown, token: number): LuaString
    luaX_syntaxerror(ls: { t: { token: number } }, msg: LuaString): never
  }
  export default llex
}

declare module 'fengari/src/lstate.js' {
  import type { LuaState } from 'fengari'
  const lstate: {
    luaE_extendCI(L: LuaState): object
  }
  export default lstate
}
