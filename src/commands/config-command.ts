/** CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the engine's ConfigRegistry. */
import { stringMatch } from '../keyspace/glob.ts'
import { MapReply, OK, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { resetMemoryPeak } from './info.ts'
import { type CommandContext, command } from './types.ts'

/** Config names and values are byte strings (latin1), like keys, so any password bytes round-trip. */
function text(buf: Buffer): string {
  return buf.toString('latin1')
}

function configGet(ctx: CommandContext): Reply {
  const patterns = ctx.argv.slice(2).map(text)
  const pairs = ctx.engine.config.match(patterns, (pattern, name) => stringMatch(pattern, name, true))
  return new MapReply(pairs.map(([name, value]) => [Buffer.from(name, 'latin1'), Buffer.from(value, 'latin1')]))
}

function configSet(ctx: CommandContext): Reply {
  const { argv, engine } = ctx
  if (argv.length % 2 !== 0) return new ReplyError('ERR syntax error')
  const pairs: Array<[string, string]> = []
  for (let i = 2; i < argv.length; i += 2) pairs.push([text(argv[i]), text(argv[i + 1])])
  const error = engine.config.setMany(pairs)
  if (error) return error
  // Clearing requirepass makes the default user password-less: from now on nobody needs to authenticate, including
  // connections that have not yet (Redis checks the user's nopass flag on every command).
  if (engine.config.get('requirepass') === '') for (const client of engine.clients.values()) client.authenticated = true
  return OK
}

/**
 * CONFIG RESETSTAT, as Redis's resetServerStats + command and error table resets. Command statistics are zeroed in
 * place rather than dropped, so the executor's count of this very CONFIG RESETSTAT lands in the fresh table (Redis
 * then shows `cmdstat_config|resetstat:calls=1`).
 */
function configResetStat(ctx: CommandContext): Reply {
  const { executor, keyspace } = ctx.engine
  for (const stats of executor.commandStats.values()) {
    stats.calls = 0
    stats.usec = 0
    stats.rejectedCalls = 0
    stats.failedCalls = 0
  }
  executor.errorStats.clear()
  executor.totalErrorReplies = 0
  executor.totalCommands = 0
  ctx.engine.totalConnections = 0
  keyspace.stats.keyspaceHits = 0
  keyspace.stats.keyspaceMisses = 0
  keyspace.stats.expiredKeys = 0
  resetMemoryPeak(ctx.engine)
  return OK
}

function configRewrite(): Reply {
  return new ReplyError('ERR The server is running without a config file')
}

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
].map((line) => new SimpleString(line))

function configHelp(): Reply {
  return CONFIG_HELP
}

function container(): Reply {
  // Never runs: the table resolves a subcommand or answers with the container's arity / unknown-subcommand error.
  return new ReplyError('ERR unknown subcommand. Try CONFIG HELP.')
}

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const
const ADMIN_CATEGORIES = ['admin', 'slow', 'dangerous']

export const configCommand = command('config', -2, [], null, ['slow'], container, {
  subcommands: [
    command('get', -3, ADMIN, null, ADMIN_CATEGORIES, configGet),
    command('set', -4, ADMIN, null, ADMIN_CATEGORIES, configSet),
    command('resetstat', 2, ADMIN, null, ADMIN_CATEGORIES, configResetStat),
    command('rewrite', 2, ADMIN, null, ADMIN_CATEGORIES, configRewrite),
    command('help', 2, ['loading', 'stale'], null, ['slow'], configHelp),
  ],
})
