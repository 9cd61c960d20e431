/**
 * A Lua value kept by JavaScript instead of in the Lua registry. A function library's callbacks belong to one engine
 * but live in the process's shared Lua state: held here, they are freed with the engine's function registry by the
 * JavaScript garbage collector, where registry references would stay behind for every engine the simulator discards.
 * (fengari's values are JavaScript objects; this reads and writes its stack slots as its own API does.)
 */
import type { LuaState } from 'fengari'
import lobject from 'fengari/src/lobject.js'

export interface HeldLuaValue {
  readonly type: number
  readonly value: unknown
}

interface FengariStack {
  stack: Array<{ type: number; value: unknown }>
  top: number
}

/** The value at the top of `L`'s stack, held (the stack is left as it is). */
export function holdTop(L: LuaState): HeldLuaValue {
  const state = L as unknown as FengariStack
  const slot = state.stack[state.top - 1]
  return { type: slot.type, value: slot.value }
}

/** Pushes a held value onto `L`'s stack (the caller has checked the stack has room). */
export function pushHeld(L: LuaState, held: HeldLuaValue): void {
  ;(lobject as unknown as { pushobj2s(L: LuaState, tv: HeldLuaValue): void }).pushobj2s(L, held)
}
