/**
 * The constants of Redis's RDB format (rdb.h, Redis 7.0): the version written, the value types and the opcodes that
 * frame a file. A DUMP payload is one value in the same format followed by the version and a CRC-64.
 */

/** RDB_VERSION of Redis 7.0: written, and the newest read. */
export const RDB_VERSION = 10

export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const

export const RdbOpcode = {
  FUNCTION2: 245,
  FUNCTION: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const

/** The special string encodings behind a length byte whose top bits are 11 (RDB_ENC_*). */
export const RdbEncoding = { INT8: 0, INT16: 1, INT32: 2, LZF: 3 } as const

/** quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2. */
export const QUICKLIST_NODE_PLAIN = 1
export const QUICKLIST_NODE_PACKED = 2

/** Why an RDB file or DUMP payload could not be read: truncated, corrupt, or holding something redsim cannot keep. */
export class RdbError extends Error {
  constructor(
    message: string,
    /** 'eof': the data ended early; 'corrupt': it is malformed; 'unsupported': valid but not loadable here. */
    readonly kind: 'eof' | 'corrupt' | 'unsupported' = 'corrupt',
  ) {
    super(message)
  }
}
