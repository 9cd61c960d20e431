import type { HistoryReply } from '../linearizability/history.ts'

/**
 * Replies of the model, in the history's JSON-safe form: bulk and status strings are strings, integers numbers,
 * nil (bulk or array) null, arrays arrays, errors `{ error }`.
 */
export type ModelReply = HistoryReply

/** An error reply raised by a model command; scripts let it propagate like `redis.call` does. */
export class CommandError {
  constructor(readonly message: string) {}
}

export const ModelErrors = {
  wrongType: () => new CommandError('WRONGTYPE Operation against a key holding the wrong kind of value'),
  notInteger: () => new CommandError('ERR value is not an integer or out of range'),
  notFloat: () => new CommandError('ERR value is not a valid float'),
  minMaxNotFloat: () => new CommandError('ERR min or max is not a float'),
  syntax: () => new CommandError('ERR syntax error'),
  overflow: () => new CommandError('ERR increment or decrement would overflow'),
  outOfRangePositive: () => new CommandError('ERR value is out of range, must be positive'),
  arity: (name: string) => new CommandError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`),
  invalidExpire: (name: string) => new CommandError(`ERR invalid expire time in '${name.toLowerCase()}' command`),
} as const

/** The first word of an error message (`ERR`, `WRONGTYPE`, `EXECABORT`...). */
export function errorCode(message: string): string {
  const space = message.indexOf(' ')
  return space === -1 ? message : message.slice(0, space)
}

/**
 * Whether the client's reply is the one the model computed. Errors are compared by their code only: the server
 * decorates errors raised inside scripts with the script's sha and line (`... script: <sha>, on @user_script:3.`),
 * and which error a state produces is what linearizability is about, not its wording.
 */
export function replyMatches(expected: ModelReply, actual: HistoryReply): boolean {
  if (expected === actual) return true
  if (expected === null || actual === null) return false
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false
    for (let i = 0; i < expected.length; i++) if (!replyMatches(expected[i], actual[i])) return false
    return true
  }
  if (typeof expected === 'object') {
    return (
      typeof actual === 'object' &&
      !Array.isArray(actual) &&
      typeof actual.error === 'string' &&
      errorCode(actual.error) === errorCode(expected.error)
    )
  }
  return false
}

export function describeReply(reply: HistoryReply | undefined): string {
  if (reply === undefined) return '?'
  if (reply === null) return 'nil'
  if (Array.isArray(reply)) return `[${reply.map(describeReply).join(', ')}]`
  if (typeof reply === 'object') return `(error) ${reply.error}`
  return typeof reply === 'number' ? String(reply) : JSON.stringify(reply)
}
