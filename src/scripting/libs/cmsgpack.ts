import { type LuaState, lua } from 'fengari'

export function openCmsgpackLib(L: LuaState): void {
  lua.lua_createtable(L, 0, 0)
  lua.lua_setglobal(L, 'cmsgpack')
}
