/**
 * The values a command can reply with. They are protocol-neutral: the RESP encoder turns them into bytes for a
 * socket, the Lua host turns them into Lua values, and the in-process client hands them to callers as they are.
 *
 * Plain JS values carry the common cases so that the hot path allocates nothing extra:
 *   Buffer            bulk string (binary-safe)
 *   string            bulk string of server-made text (UTF-8), e.g. INFO or CONFIG GET names
 *   number | bigint   integer (bigint only where a 64-bit value does not fit in a double exactly)
 *   null              nil bulk string ($-1, or _ in RESP3)
 *   Reply[]           array
 * Classes carry the rest.
 */
export type Reply =
  | Buffer
  | string
  | number
  | bigint
  | null
  | SimpleString
  | ReplyError
  | NilArray
  | DoubleReply
  | BoolReply
  | MapReply
  | SetReply
  | VerbatimReply
  | BigNumberReply
  | PushReply
  | Reply[]

/** A status reply such as `+OK`. */
export class SimpleString {
  constructor(readonly value: string) {}
}

/**
 * An error reply. `message` is the whole line after the `-`, prefix included (`ERR ...`, `WRONGTYPE ...`).
 * Deliberately not an `Error` subclass: commands throw these on the hot path, and capturing a stack trace
 * for every WRONGTYPE would cost more than the command itself.
 */
export class ReplyError {
  constructor(readonly message: string) {}
  /** The first word, used by INFO errorstats (`ERR`, `WRONGTYPE`, ...). */
  get code(): string {
    const space = this.message.indexOf(' ')
    return space === -1 ? this.message : this.message.slice(0, space)
  }
  toString(): string {
    return this.message
  }
}

/**
 * A bug inside redsim, caught while running a command and answered as an error instead of a crash. Its own type, so
 * that the simulator (which must flag every one) and the tests recognise it without reading its text.
 */
export class InternalErrorReply extends ReplyError {}

/**
 * An error a script raised while it ran (its own error(), or a redis.call that failed): Redis 7.0 words these as
 * `<error> script: <sha>, on @user_script:<line>.` Its own type, so that the executor tells them from the errors of a
 * script that never ran (NOSCRIPT, a compile error, a bad key count) without reading the text.
 */
export class ScriptRaisedError extends ReplyError {}

/** The nil array (`*-1`), e.g. EXEC aborted by WATCH. */
export class NilArray {
  private constructor() {}
  static readonly instance = new NilArray()
}
export const NIL_ARRAY = NilArray.instance

/**
 * RESP3 double; RESP2 sends it as a bulk string. `text` is set where Redis prints the number its own way instead of
 * `%.17g` (GEOPOS coordinates are long doubles printed with `%.17Lf`, trailing zeros removed).
 */
export class DoubleReply {
  constructor(
    readonly value: number,
    readonly text?: string,
  ) {}
}
/** RESP3 boolean; RESP2 sends true as `:1` and false as a nil bulk string. */
export class BoolReply {
  constructor(readonly value: boolean) {}
}
/** RESP3 map; RESP2 sends it as a flat array of key, value, key, value. */
export class MapReply {
  constructor(readonly entries: Array<[Reply, Reply]>) {}
}
/** RESP3 set; RESP2 sends it as an array. */
export class SetReply {
  constructor(readonly items: Reply[]) {}
}
/** RESP3 verbatim string; RESP2 sends it as a bulk string. */
export class VerbatimReply {
  constructor(
    readonly format: string,
    readonly text: string,
  ) {}
}
/** RESP3 big number (a script's `{big_number = "..."}`): its digits as given; RESP2 sends them as a bulk string. */
export class BigNumberReply {
  constructor(readonly digits: Buffer) {}
}
/** RESP3 push (pub/sub messages); RESP2 sends it as an array. */
export class PushReply {
  constructor(readonly items: Reply[]) {}
}

export const OK = new SimpleString('OK')
export const QUEUED = new SimpleString('QUEUED')
export const PONG = new SimpleString('PONG')

/** The error strings that many commands share, spelled once (Redis 7.0, byte for byte). */
export const Errors = {
  wrongType: () => new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
  notInteger: () => new ReplyError('ERR value is not an integer or out of range'),
  notFloat: () => new ReplyError('ERR value is not a valid float'),
  syntax: () => new ReplyError('ERR syntax error'),
  overflow: () => new ReplyError('ERR increment or decrement would overflow'),
  dbIndex: () => new ReplyError('ERR DB index is out of range'),
  noSuchKey: () => new ReplyError('ERR no such key'),
  arity: (fullName: string) => new ReplyError(`ERR wrong number of arguments for '${fullName}' command`),
  invalidExpire: (command: string) => new ReplyError(`ERR invalid expire time in '${command}' command`),
  noAuth: () => new ReplyError('NOAUTH Authentication required.'),
} as const

export function isReplyError(reply: unknown): reply is ReplyError {
  return reply instanceof ReplyError
}
