/**
 * The `cjson` library of Redis 7.0's Lua: lua-cjson 2.1.0. encode/decode live in cjson-encode.ts and
 * cjson-decode.ts; this file builds the module table (cjson.new() builds another, with settings of its own) and
 * the configuration functions, with lua-cjson's argument handling:
 * - every function refuses extra arguments ("found too many arguments") and treats nil as "leave unchanged";
 * - integer settings are range-checked, always reported against argument #1 ("expected integer between 1 and 14");
 * - on/off settings take a boolean or the strings "on"/"off" (encode_invalid_numbers also "null") and return the
 *   current value as a boolean (or "null").
 */
import { lauxlib, type LuaJSFunction, type LuaState, lua } from 'fengari'
import { activeRun } from '../active-run.ts'
import { type CjsonConfig, defaultCjsonConfig } from './cjson-config.ts'
import { jsonDecode } from './cjson-decode.ts'
import { jsonEncode } from './cjson-encode.ts'
import { checkBytes, checkInteger, int64ToInt32 } from './lua51-args.ts'
import { installNullPointerFormat } from './null-pointer-format.ts'

const INT_MAX = 2147483647

type Setting = keyof CjsonConfig

/**
 * The settings of the global `cjson` table, per engine. Every engine shares one Lua state (lua-runtime.ts), but in
 * Redis each server has its own, whose cjson settings last until SCRIPT FLUSH makes a new state. So they are kept
 * per script cache: an engine's cache is the object SCRIPT FLUSH replaces.
 */
const settingsByScriptCache = new WeakMap<object, CjsonConfig>()
/** Settings for code running outside any script (nothing should). */
const settingsOutsideScripts = defaultCjsonConfig()

function engineSettings(): CjsonConfig {
  const host = activeRun()?.host
  if (!host) return settingsOutsideScripts
  const cache = host.cache
  let settings = settingsByScriptCache.get(cache)
  if (!settings) {
    settings = defaultCjsonConfig()
    settingsByScriptCache.set(cache, settings)
  }
  return settings
}

/** json_arg_init: at most `args` arguments, padded with nil. */
function argInit(L: LuaState, args: number): void {
  if (lua.lua_gettop(L) > args) lauxlib.luaL_argerror(L, args + 1, 'found too many arguments')
  lua.lua_settop(L, args)
}

/** json_integer_option. */
function integerOption(L: LuaState, idx: number, cfg: CjsonConfig, key: Setting, min: number, max: number): void {
  if (lua.lua_type(L, idx) !== lua.LUA_TNIL) {
    const value = int64ToInt32(checkInteger(L, idx))
    if (!(min <= value && value <= max)) lauxlib.luaL_argerror(L, 1, `expected integer between ${min} and ${max}`)
    cfg[key] = value
  }
  lua.lua_pushnumber(L, cfg[key])
}

const BOOL_OPTIONS = ['off', 'on']

/** json_enum_option with bool_true = 1: booleans, or one of the option names. */
function enumOption(L: LuaState, idx: number, cfg: CjsonConfig, key: Setting, options: string[] = BOOL_OPTIONS): void {
  if (lua.lua_type(L, idx) !== lua.LUA_TNIL) {
    if (lua.lua_type(L, idx) === lua.LUA_TBOOLEAN) {
      cfg[key] = lua.lua_toboolean(L, idx) ? 1 : 0
    } else {
      const name = Buffer.from(checkBytes(L, idx)).toString('latin1')
      const found = options.indexOf(name)
      if (found === -1) {
        const message = Buffer.concat([
          Buffer.from("invalid option '"),
          Buffer.from(checkBytes(L, idx)),
          Buffer.from("'"),
        ])
        lauxlib.luaL_argerror(L, idx, Uint8Array.from(message))
      }
      cfg[key] = found
    }
  }
  const setting = cfg[key]
  if (setting === 0 || setting === 1) lua.lua_pushboolean(L, setting === 1)
  else lua.lua_pushstring(L, options[setting])
}

/** The module's functions, reading and changing the settings `settings()` returns. */
function moduleFunctions(settings: () => CjsonConfig): Record<string, LuaJSFunction> {
  return {
    encode: (L) => jsonEncode(L, settings()),
    decode: (L) => jsonDecode(L, settings()),
    encode_sparse_array: (L) => {
      argInit(L, 3)
      const cfg = settings()
      enumOption(L, 1, cfg, 'encodeSparseConvert')
      integerOption(L, 2, cfg, 'encodeSparseRatio', 0, INT_MAX)
      integerOption(L, 3, cfg, 'encodeSparseSafe', 0, INT_MAX)
      return 3
    },
    encode_max_depth: (L) => {
      argInit(L, 1)
      const cfg = settings()
      integerOption(L, 1, cfg, 'encodeMaxDepth', 1, INT_MAX)
      return 1
    },
    decode_max_depth: (L) => {
      argInit(L, 1)
      const cfg = settings()
      integerOption(L, 1, cfg, 'decodeMaxDepth', 1, INT_MAX)
      return 1
    },
    encode_number_precision: (L) => {
      argInit(L, 1)
      const cfg = settings()
      integerOption(L, 1, cfg, 'encodeNumberPrecision', 1, 14)
      return 1
    },
    encode_keep_buffer: (L) => {
      // The buffer is an allocation strategy in C; here only the setting is observable.
      argInit(L, 1)
      const cfg = settings()
      enumOption(L, 1, cfg, 'encodeKeepBuffer')
      return 1
    },
    encode_invalid_numbers: (L) => {
      argInit(L, 1)
      const cfg = settings()
      enumOption(L, 1, cfg, 'encodeInvalidNumbers', ['off', 'on', 'null'])
      return 1
    },
    decode_invalid_numbers: (L) => {
      argInit(L, 1)
      const cfg = settings()
      enumOption(L, 1, cfg, 'decodeInvalidNumbers')
      return 1
    },
    new: (L) => {
      const own = defaultCjsonConfig()
      pushModule(L, () => own)
      return 1
    },
  }
}

/** lua_cjson_new: a module table whose functions use `settings()`. */
function pushModule(L: LuaState, settings: () => CjsonConfig): void {
  const functions = moduleFunctions(settings)
  lua.lua_createtable(L, 0, Object.keys(functions).length + 3)
  for (const [name, f] of Object.entries(functions)) {
    lua.lua_pushcfunction(L, f)
    lua.lua_setfield(L, -2, name)
  }
  // JSON null: a NULL light userdata, since a Lua table cannot hold nil.
  lua.lua_pushlightuserdata(L, null)
  lua.lua_setfield(L, -2, 'null')
  lua.lua_pushliteral(L, 'cjson')
  lua.lua_setfield(L, -2, '_NAME')
  lua.lua_pushliteral(L, '2.1.0')
  lua.lua_setfield(L, -2, '_VERSION')
}

export function openCjsonLib(L: LuaState): void {
  installNullPointerFormat()
  pushModule(L, engineSettings)
  lua.lua_setglobal(L, 'cjson')
}
