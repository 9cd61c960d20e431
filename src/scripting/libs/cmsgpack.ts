/**
 * The `cmsgpack` library of Redis 7.0's Lua: lua-cmsgpack 0.4.0 (pack, unpack, unpack_one, unpack_limit). The codec
 * is in cmsgpack-encode.ts and cmsgpack-decode.ts; this file builds the module table.
 *
 * Written by hand rather than on @msgpack/msgpack because scripts see its exact bytes, and lua-cmsgpack's choices
 * differ from that codec's: a non-integral number becomes a float32 whenever the conversion is exact (the codec writes
 * float64), Lua strings are raw bytes written as str types (the codec writes UTF-8 or bin), an empty table is an
 * array, nesting deeper than 16 tables becomes nil, and decoding rejects bin/ext types and follows Lua 5.1's stack
 * limit. Reproducing those through the codec's options and extension hooks would be longer than the encoder itself.
 */
import { type LuaState, lua } from 'fengari'
import { pack } from './cmsgpack-encode.ts'
import { unpack, unpackLimit, unpackOne } from './cmsgpack-decode.ts'

export function openCmsgpackLib(L: LuaState): void {
  lua.lua_createtable(L, 0, 8)
  const functions: Array<[string, (L: LuaState) => number]> = [
    ['pack', pack],
    ['unpack', unpack],
    ['unpack_one', unpackOne],
    ['unpack_limit', unpackLimit],
  ]
  for (const [name, f] of functions) {
    lua.lua_pushcfunction(L, f)
    lua.lua_setfield(L, -2, name)
  }
  const metadata: Array<[string, string]> = [
    ['_NAME', 'cmsgpack'],
    ['_VERSION', 'lua-cmsgpack 0.4.0'],
    ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'],
    ['_DESCRIPTION', 'MessagePack C implementation for Lua'],
  ]
  for (const [name, value] of metadata) {
    lua.lua_pushliteral(L, value)
    lua.lua_setfield(L, -2, name)
  }
  lua.lua_setglobal(L, 'cmsgpack')
}
