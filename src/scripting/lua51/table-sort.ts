/**
 * table.sort as Lua 5.1 sorts (ltablib.c's sort and auxsort): the same comparisons of the same elements in the same
 * order, raw reads and writes of the table at the same moments, and the same errors ("invalid order function for
 * sorting", "stack overflow ()" when called with thousands of arguments). Comparators with side effects, inconsistent
 * comparators and errors raised inside them therefore behave as in Redis. fengari's 5.3 sort picks other pivots (random
 * ones, from Math.random, on large unbalanced arrays), reads and writes through metamethods, and calls the comparator
 * in a way that cannot yield.
 *
 * Here each call of a comparator is a yieldable call with a continuation, so a script busy inside its comparator can
 * still be paused by the host: its count hook yields the script to the event loop, other clients get BUSY, and SCRIPT
 * KILL reaches it, as Redis's hook does inside comparators. The algorithm is a generator that hands out each comparison
 * and is resumed with its answer; the generator lives in the continuation's closure across the yield.
 */
import { lauxlib, type LuaKFunction, type LuaState, lua } from 'fengari'
import { checkStack51 } from '../libs/lua51-args.ts'

/** Stack indices (relative to the top) of the two values to compare: is the first less than the second? */
type Comparison = readonly [a: number, b: number]
type SortSteps = Generator<Comparison, void, boolean>

/** 5.1's set2: t[i] = top, t[j] = the value below it; both popped. */
function set2(L: LuaState, i: number, j: number): void {
  lua.lua_rawseti(L, 1, i)
  lua.lua_rawseti(L, 1, j)
}

function invalidOrder(L: LuaState): never {
  return lauxlib.luaL_error(L, 'invalid order function for sorting')
}

/**
 * 5.1's auxsort over t[lo..up] (t at stack index 1). Its recursion on the smaller part becomes a list of the larger
 * parts still to sort, taken in the order the recursive calls would return to them.
 */
function* auxsort(L: LuaState, lo: number, up: number): SortSteps {
  const later: Array<[number, number]> = []
  let l = lo
  let u = up
  for (;;) {
    while (l < u) {
      // Sort a[l], a[(l+u)/2] and a[u].
      lua.lua_rawgeti(L, 1, l)
      lua.lua_rawgeti(L, 1, u)
      if (yield [-1, -2]) set2(L, l, u)
      else lua.lua_pop(L, 2)
      if (u - l === 1) break
      let i = Math.floor((l + u) / 2)
      lua.lua_rawgeti(L, 1, i)
      lua.lua_rawgeti(L, 1, l)
      if (yield [-2, -1]) {
        set2(L, i, l)
      } else {
        lua.lua_pop(L, 1)
        lua.lua_rawgeti(L, 1, u)
        if (yield [-1, -2]) set2(L, i, u)
        else lua.lua_pop(L, 2)
      }
      if (u - l === 2) break
      // The pivot P = a[i] goes to a[u-1]; a[l] <= P <= a[u], so only l+1 .. u-2 remain.
      lua.lua_rawgeti(L, 1, i)
      lua.lua_pushvalue(L, -1)
      lua.lua_rawgeti(L, 1, u - 1)
      set2(L, i, u - 1)
      i = l
      let j = u - 1
      for (;;) {
        // Invariant: a[l..i] <= P <= a[j..u].
        for (;;) {
          lua.lua_rawgeti(L, 1, ++i)
          if (!(yield [-1, -2])) break
          if (i > u) invalidOrder(L)
          lua.lua_pop(L, 1)
        }
        for (;;) {
          lua.lua_rawgeti(L, 1, --j)
          if (!(yield [-3, -1])) break
          if (j < l) invalidOrder(L)
          lua.lua_pop(L, 1)
        }
        if (j < i) {
          lua.lua_pop(L, 3)
          break
        }
        set2(L, i, j)
      }
      lua.lua_rawgeti(L, 1, u - 1)
      lua.lua_rawgeti(L, 1, i)
      set2(L, u - 1, i)
      // The smaller part first (5.1 recurses into it), then the larger one.
      if (i - l < u - i) {
        j = l
        i = i - 1
        l = i + 2
      } else {
        j = i + 1
        i = u
        u = j - 2
      }
      later.push([l, u])
      l = j
      u = i
    }
    const next = later.pop()
    if (!next) return
    ;[l, u] = next
  }
}

/** The comparator's answer, left on the stack by the call. */
function takeAnswer(L: LuaState): boolean {
  const answer = lua.lua_toboolean(L, -1)
  lua.lua_pop(L, 1)
  return answer
}

/**
 * Runs the sort until it ends or a comparator call yields. `answer` is the result of the comparison the generator
 * waits for (none on the first run). A yielding comparator unwinds this function; `resume` carries on from its answer.
 */
function drive(L: LuaState, steps: SortSteps, resume: LuaKFunction | null, answer?: boolean): number {
  let step = steps.next(answer as boolean)
  while (!step.done) {
    const [a, b] = step.value
    let less: boolean
    if (resume) {
      const ia = lua.lua_absindex(L, a)
      const ib = lua.lua_absindex(L, b)
      lua.lua_pushvalue(L, 2)
      lua.lua_pushvalue(L, ia)
      lua.lua_pushvalue(L, ib)
      lua.lua_callk(L, 2, 1, 0, resume)
      less = takeAnswer(L)
    } else {
      less = lua.lua_compare(L, a, b, lua.LUA_OPLT)
    }
    step = steps.next(less)
  }
  return 0
}

/** table.sort(t [, comp]). */
export function tableSort(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  const n = lua.lua_rawlen(L, 1)
  // 5.1 reserves 40 slots ("assume array is smaller than 2^40"), counted with every argument it was given.
  if (!checkStack51(L, 40)) lauxlib.luaL_error(L, 'stack overflow (%s)', '')
  if (!lua.lua_isnoneornil(L, 2)) lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION)
  lua.lua_settop(L, 2)
  const steps = auxsort(L, 1, n)
  if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) return drive(L, steps, null)
  const resume: LuaKFunction = (L1) => drive(L1, steps, resume, takeAnswer(L1))
  return drive(L, steps, resume)
}
