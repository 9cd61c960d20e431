/** String commands. */
import { OK, type Reply } from '../protocol/reply.ts'
import { keyOf } from './args.ts'
import { type CommandContext, command } from './types.ts'
import { Errors } from '../protocol/reply.ts'

function get(ctx: CommandContext): Reply {
  const value = ctx.db.get(keyOf(ctx.argv, 1))
  if (value === undefined) return null
  if (!Buffer.isBuffer(value)) throw Errors.wrongType()
  return value
}

function set(ctx: CommandContext): Reply {
  ctx.db.set(keyOf(ctx.argv, 1), ctx.argv[2])
  return OK
}

export const stringCommands = [
  command('get', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast'], get),
  command('set', -3, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow'], set),
]
