/** Generic key commands. */
import type { Reply } from '../protocol/reply.ts'
import { keyOf } from './args.ts'
import { type CommandContext, command } from './types.ts'

function del(ctx: CommandContext): Reply {
  let n = 0
  for (let i = 1; i < ctx.argv.length; i++) if (ctx.db.delete(keyOf(ctx.argv, i))) n++
  return n
}

function exists(ctx: CommandContext): Reply {
  let n = 0
  for (let i = 1; i < ctx.argv.length; i++) if (ctx.db.has(keyOf(ctx.argv, i))) n++
  return n
}

export const keyCommands = [
  command('del', -2, ['write'], [1, -1, 1], ['keyspace', 'write', 'slow'], del),
  command('exists', -2, ['readonly', 'fast'], [1, -1, 1], ['keyspace', 'read', 'fast'], exists),
]
