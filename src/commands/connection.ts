/** Connection commands: PING, ECHO, SELECT, QUIT (the rest of the family is added here). */
import { Errors, OK, PONG, type Reply, ReplyError } from '../protocol/reply.ts'
import { integerArg } from './args.ts'
import { type CommandContext, command } from './types.ts'

function ping(ctx: CommandContext): Reply {
  if (ctx.argv.length > 2) return Errors.arity('ping')
  return ctx.argv.length === 2 ? ctx.argv[1] : PONG
}

function echo(ctx: CommandContext): Reply {
  return ctx.argv[1]
}

function select(ctx: CommandContext): Reply {
  let index: number
  try {
    index = integerArg(ctx.argv[1])
  } catch {
    return new ReplyError('ERR value is not an integer or out of range')
  }
  if (index < 0 || index >= ctx.engine.keyspace.dbs.length) return Errors.dbIndex()
  ctx.select(index)
  return OK
}

function quit(ctx: CommandContext): Reply {
  ctx.client.closeAfterReply = true
  return OK
}

export const connectionCommands = [
  command('ping', -1, ['fast', 'sentinel'], null, ['fast', 'connection'], ping),
  command('echo', 2, ['fast'], null, ['fast', 'connection'], echo),
  command('select', 2, ['loading', 'stale', 'fast'], null, ['fast', 'connection'], select),
  command('quit', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], null, ['fast', 'connection'], quit),
]
