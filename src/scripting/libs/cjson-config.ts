/**
 * The settings of one cjson module table (lua-cjson keeps them per table: cjson.new() starts from the defaults).
 * They live as long as the Lua state, so a script that changes them changes them for the scripts after it, as in
 * Redis, until SCRIPT FLUSH makes a new state.
 */
export interface CjsonConfig {
  encodeSparseConvert: number
  encodeSparseRatio: number
  encodeSparseSafe: number
  encodeMaxDepth: number
  /** 0 "off": NaN and Inf are errors; 1 "on": written as nan/inf; 2 "null": written as null. */
  encodeInvalidNumbers: number
  encodeNumberPrecision: number
  encodeKeepBuffer: number
  decodeInvalidNumbers: number
  decodeMaxDepth: number
}

export function defaultCjsonConfig(): CjsonConfig {
  return {
    encodeSparseConvert: 0,
    encodeSparseRatio: 2,
    encodeSparseSafe: 10,
    encodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    encodeNumberPrecision: 14,
    encodeKeepBuffer: 1,
    decodeInvalidNumbers: 1,
    decodeMaxDepth: 1000,
  }
}
