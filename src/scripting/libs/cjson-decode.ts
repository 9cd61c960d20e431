/**
 * cjson.decode as lua-cjson 2.1.0 (Redis 7.0) parses JSON: a tokenizer over the C string (a zero byte ends the
 * input), numbers through strtod (so with decode_invalid_numbers on, the default, "0x10", "Infinity", "nan" and
 * "+1" are numbers), \u escapes with surrogate pairs to UTF-8, null as the NULL light userdata (cjson.null), and
 * lua-cjson's messages: "Expected <what> but found <token> at character <n>".
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import { checkHeapInLibrary } from '../script-memory.ts'
import type { CjsonConfig } from './cjson-config.ts'
import { checkBytes, LUA51_MAX_C_STACK } from './lua51-args.ts'
import { strtod } from './strtod.ts'

enum Token {
  ObjBegin,
  ObjEnd,
  ArrBegin,
  ArrEnd,
  String,
  Number,
  Boolean,
  Null,
  Colon,
  Comma,
  End,
  Whitespace,
  Error,
  Unknown,
}

const TOKEN_NAMES = [
  'T_OBJ_BEGIN',
  'T_OBJ_END',
  'T_ARR_BEGIN',
  'T_ARR_END',
  'T_STRING',
  'T_NUMBER',
  'T_BOOLEAN',
  'T_NULL',
  'T_COLON',
  'T_COMMA',
  'T_END',
  'T_WHITESPACE',
  'T_ERROR',
  'T_UNKNOWN',
]

/** ch2token: what each byte starts. */
const CH2TOKEN: Token[] = (() => {
  const t: Token[] = new Array(256).fill(Token.Error)
  const set = (chars: string, token: Token) => {
    for (const ch of chars) t[ch.charCodeAt(0)] = token
  }
  set('{', Token.ObjBegin)
  set('}', Token.ObjEnd)
  set('[', Token.ArrBegin)
  set(']', Token.ArrEnd)
  set(',', Token.Comma)
  set(':', Token.Colon)
  t[0] = Token.End
  set(' \t\n\r', Token.Whitespace)
  set('fiInNt"+-0123456789', Token.Unknown)
  return t
})()

/** escape2char: the byte a backslash escape stands for (0: invalid; 'u': a \uXXXX escape). */
const ESCAPE2CHAR: number[] = (() => {
  const t: number[] = new Array(256).fill(0)
  const pairs: Array<[string, number]> = [
    ['"', 34],
    ['\\', 92],
    ['/', 47],
    ['b', 8],
    ['t', 9],
    ['n', 10],
    ['f', 12],
    ['r', 13],
    ['u', 117],
  ]
  for (const [ch, value] of pairs) t[ch.charCodeAt(0)] = value
  return t
})()

interface TokenValue {
  type: Token
  /** 0-based position where the token starts (or where the error is). */
  index: number
  /** T_ERROR: the description; T_STRING: unused. */
  error: string
  string: Uint8Array | null
  number: number
  boolean: boolean
}

class ParseError {
  constructor(readonly message: string) {}
}

class JsonParser {
  ptr = 0
  depth = 0
  private readonly tmp: Uint8Array

  constructor(
    readonly L: LuaState,
    readonly data: Uint8Array,
    readonly cfg: CjsonConfig,
  ) {
    // A decoded string is never longer than the input.
    this.tmp = new Uint8Array(data.length)
  }

  /** The byte at `i`, with C's terminating NUL after the end. */
  at(i: number): number {
    return i < this.data.length ? this.data[i] : 0
  }

  private setError(token: TokenValue, message: string): void {
    token.type = Token.Error
    token.index = this.ptr
    token.error = message
  }

  /** decode_hex4: four hex digits at `i`, or -1. */
  private hex4(i: number): number {
    let value = 0
    for (let k = 0; k < 4; k++) {
      const c = this.at(i + k)
      let digit: number
      if (c >= 48 && c <= 57) digit = c - 48
      else if ((c | 0x20) >= 97 && (c | 0x20) <= 102) digit = (c | 0x20) - 87
      else return -1
      value = (value << 4) | digit
    }
    return value
  }

  /** json_append_unicode_escape: the \uXXXX (or surrogate pair) at ptr as UTF-8 into tmp; false when invalid. */
  private unicodeEscape(out: { len: number }): boolean {
    let codepoint = this.hex4(this.ptr + 2)
    if (codepoint < 0) return false
    let escapeLength = 6
    if ((codepoint & 0xf800) === 0xd800) {
      // A surrogate: it must be a high one, followed by a \u low one.
      if (codepoint & 0x400) return false
      if (this.at(this.ptr + 6) !== 92 || this.at(this.ptr + 7) !== 117) return false
      const low = this.hex4(this.ptr + 8)
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return false
      codepoint = (((codepoint & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000
      escapeLength = 12
    }
    const tmp = this.tmp
    if (codepoint <= 0x7f) {
      tmp[out.len++] = codepoint
    } else if (codepoint <= 0x7ff) {
      tmp[out.len++] = (codepoint >> 6) | 0xc0
      tmp[out.len++] = (codepoint & 0x3f) | 0x80
    } else if (codepoint <= 0xffff) {
      tmp[out.len++] = (codepoint >> 12) | 0xe0
      tmp[out.len++] = ((codepoint >> 6) & 0x3f) | 0x80
      tmp[out.len++] = (codepoint & 0x3f) | 0x80
    } else {
      tmp[out.len++] = (codepoint >> 18) | 0xf0
      tmp[out.len++] = ((codepoint >> 12) & 0x3f) | 0x80
      tmp[out.len++] = ((codepoint >> 6) & 0x3f) | 0x80
      tmp[out.len++] = (codepoint & 0x3f) | 0x80
    }
    this.ptr += escapeLength
    return true
  }

  private stringToken(token: TokenValue): void {
    this.ptr++ // the opening quote
    const out = { len: 0 }
    for (;;) {
      let ch = this.at(this.ptr)
      if (ch === 34) break
      if (ch === 0) {
        this.setError(token, 'unexpected end of string')
        return
      }
      if (ch === 92) {
        ch = ESCAPE2CHAR[this.at(this.ptr + 1)]
        if (ch === 117) {
          if (this.unicodeEscape(out)) continue
          this.setError(token, 'invalid unicode escape code')
          return
        }
        if (ch === 0) {
          this.setError(token, 'invalid escape code')
          return
        }
        this.ptr++
      }
      this.tmp[out.len++] = ch
      this.ptr++
    }
    this.ptr++ // the closing quote
    token.type = Token.String
    token.string = this.tmp.slice(0, out.len)
  }

  /** json_is_invalid_number: forms strtod takes that strict JSON does not (+, hex, leading zeros, inf, nan). */
  private isInvalidNumber(): boolean {
    let p = this.ptr
    if (this.at(p) === 43) return true
    if (this.at(p) === 45) p++
    const c = this.at(p)
    if (c === 48) {
      const c2 = this.at(p + 1)
      return (c2 | 0x20) === 120 || (c2 >= 48 && c2 <= 57)
    }
    if (c <= 57) return false
    return this.matchesIgnoreCase(p, 'inf') || this.matchesIgnoreCase(p, 'nan')
  }

  private matchesIgnoreCase(p: number, word: string): boolean {
    for (let i = 0; i < word.length; i++) if ((this.at(p + i) | 0x20) !== word.charCodeAt(i)) return false
    return true
  }

  private matches(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.at(this.ptr + i) !== word.charCodeAt(i)) return false
    return true
  }

  private numberToken(token: TokenValue): void {
    const parsed = strtod(this.data, this.ptr)
    if (!parsed) {
      this.setError(token, 'invalid number')
      return
    }
    token.type = Token.Number
    token.number = parsed.value
    this.ptr = parsed.end
  }

  /** json_next_token. */
  next(token: TokenValue): void {
    let ch: number
    for (;;) {
      ch = this.at(this.ptr)
      token.type = CH2TOKEN[ch]
      if (token.type !== Token.Whitespace) break
      this.ptr++
    }
    token.index = this.ptr
    if (token.type === Token.Error) {
      this.setError(token, 'invalid token')
      return
    }
    if (token.type === Token.End) return
    if (token.type !== Token.Unknown) {
      this.ptr++
      return
    }
    if (ch === 34) {
      this.stringToken(token)
      return
    }
    if (ch === 45 || (ch >= 48 && ch <= 57)) {
      if (!this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) {
        this.setError(token, 'invalid number')
        return
      }
      this.numberToken(token)
      return
    }
    if (this.matches('true')) {
      token.type = Token.Boolean
      token.boolean = true
      this.ptr += 4
      return
    }
    if (this.matches('false')) {
      token.type = Token.Boolean
      token.boolean = false
      this.ptr += 5
      return
    }
    if (this.matches('null')) {
      token.type = Token.Null
      this.ptr += 4
      return
    }
    if (this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) {
      this.numberToken(token)
      return
    }
    this.setError(token, 'invalid token')
  }

  /** json_throw_parse_error. */
  fail(expected: string, token: TokenValue): never {
    const found = token.type === Token.Error ? token.error : TOKEN_NAMES[token.type]
    throw new ParseError(`Expected ${expected} but found ${found} at character ${token.index + 1}`)
  }

  /**
   * json_decode_descend: the nesting limit, and lua_checkstack(slots) under Lua 5.1's C stack limit. `used` is what
   * lua-cjson's own stack would hold here: the argument, each open array's table, each open object's table and key
   * (this parser also keeps each array's next index on the stack, which lua-cjson does not).
   */
  private descend(used: number, slots: number): void {
    this.depth++
    if (this.depth <= this.cfg.decodeMaxDepth && used + slots <= LUA51_MAX_C_STACK) {
      lua.lua_checkstack(this.L, slots + 1)
      return
    }
    throw new ParseError(`Found too many nested data structures (${this.depth}) at character ${this.ptr}`)
  }

  /** Reads `"key" :` of an object member and pushes the key; `token` holds the key's token on entry. */
  private memberKey(token: TokenValue): void {
    if (token.type !== Token.String) this.fail('object key string', token)
    lua.lua_pushstring(this.L, token.string as Uint8Array)
    this.next(token)
    if (typeOf(token) !== Token.Colon) this.fail('colon', token)
    this.next(token)
  }

  /**
   * json_process_value and the object/array contexts, without recursion (nesting is limited only by
   * decode_max_depth and Lua's stack, deeper than JavaScript's call stack allows): pushes the value that `token`
   * starts, reading the tokens of any nested arrays and objects.
   */
  value(token: TokenValue): void {
    const L = this.L
    // One entry per open container: the next array index, or OBJECT.
    const open: number[] = []
    const OBJECT = 0
    let used = 1
    for (;;) {
      // Start a value at `token`; `complete` when it is pushed whole.
      let complete = true
      switch (token.type) {
        case Token.String:
          lua.lua_pushstring(L, token.string as Uint8Array)
          break
        case Token.Number:
          lua.lua_pushnumber(L, token.number)
          break
        case Token.Boolean:
          lua.lua_pushboolean(L, token.boolean)
          break
        case Token.Null:
          // JSON null is the NULL light userdata: a Lua table cannot hold nil.
          lua.lua_pushlightuserdata(L, null)
          break
        case Token.ObjBegin:
          this.descend(used, 3)
          checkHeapInLibrary(L)
          lua.lua_newtable(L)
          this.next(token)
          if (typeOf(token) === Token.ObjEnd) {
            this.depth--
            break
          }
          open.push(OBJECT)
          used += 2
          this.memberKey(token)
          complete = false
          break
        case Token.ArrBegin:
          this.descend(used, 2)
          checkHeapInLibrary(L)
          lua.lua_newtable(L)
          this.next(token)
          if (typeOf(token) === Token.ArrEnd) {
            this.depth--
            break
          }
          open.push(1)
          used += 1
          // The index is pushed as a double (rawseti would make a fengari integer key, not a Lua 5.1 number).
          lua.lua_pushnumber(L, 1)
          complete = false
          break
        default:
          this.fail('value', token)
      }
      if (!complete) continue
      // Store the finished value in its container; a container that ends is itself a finished value.
      for (;;) {
        const top = open.length - 1
        if (top < 0) return
        lua.lua_rawset(L, -3)
        this.next(token)
        if (open[top] === OBJECT) {
          if (typeOf(token) === Token.ObjEnd) {
            this.depth--
            open.pop()
            used -= 2
            continue
          }
          if (typeOf(token) !== Token.Comma) this.fail('comma or object end', token)
          this.next(token)
          this.memberKey(token)
        } else {
          if (typeOf(token) === Token.ArrEnd) {
            this.depth--
            open.pop()
            used -= 1
            continue
          }
          if (typeOf(token) !== Token.Comma) this.fail('comma or array end', token)
          this.next(token)
          open[top]++
          lua.lua_pushnumber(L, open[top])
        }
        break
      }
    }
  }
}

/** The token's type, read afresh (the parser's next() changes it behind TypeScript's narrowing). */
function typeOf(token: TokenValue): Token {
  return token.type
}

function newToken(): TokenValue {
  return { type: Token.End, index: 0, error: '', string: null, number: 0, boolean: false }
}

/** cjson.decode(text). */
export function jsonDecode(L: LuaState, cfg: CjsonConfig): number {
  if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, 'expected 1 argument')
  const data = checkBytes(L, 1)
  // RFC 4627's encoding detection: UTF-16/32 JSON has a zero among its first two bytes.
  if (data.length >= 2 && (data[0] === 0 || data[1] === 0)) {
    lauxlib.luaL_error(L, 'JSON parser does not support UTF-16 or UTF-32')
  }
  const parser = new JsonParser(L, data, cfg)
  const token = newToken()
  try {
    parser.next(token)
    parser.value(token)
    parser.next(token)
    if (typeOf(token) !== Token.End) parser.fail('the end', token)
  } catch (err) {
    if (err instanceof ParseError) lauxlib.luaL_error(L, '%s', err.message)
    throw err
  }
  return 1
}
