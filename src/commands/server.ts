/** Server commands (INFO, CONFIG, CLIENT, TIME, DBSIZE, FLUSHDB, FLUSHALL, ...). */
import { OK, type Reply } from '../protocol/reply.ts'
import { type CommandContext, command } from './types.ts'

function dbsize(ctx: CommandContext): Reply {
  return ctx.db.size
}

function flushall(ctx: CommandContext): Reply {
  ctx.engine.keyspace.flushAll()
  return OK
}

export const serverCommands = [
  command('dbsize', 1, ['readonly', 'fast'], null, ['keyspace', 'read', 'fast'], dbsize),
  command('flushall', -1, ['write'], null, ['keyspace', 'write', 'slow', 'dangerous'], flushall),
]
