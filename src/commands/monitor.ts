/**
 * MONITOR: the client then gets a line for every command the server runs (src/engine/monitors.ts writes them). A
 * client already monitoring gets no reply at all, as in Redis.
 */
import { addMonitor } from '../engine/monitors.ts'
import { OK, type Reply } from '../protocol/reply.ts'
import { type CommandContext, command } from './types.ts'

function monitor(ctx: CommandContext): Reply {
  // Silenced through CLIENT REPLY's mechanism: the connection drops this command's reply.
  if (!addMonitor(ctx.engine, ctx.client)) ctx.client.replySkip = true
  return OK
}

export const monitorCommand = command(
  'monitor',
  1,
  ['admin', 'noscript', 'loading', 'stale'],
  null,
  ['admin', 'slow', 'dangerous'],
  monitor,
)
