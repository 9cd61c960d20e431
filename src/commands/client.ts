/**
 * CLIENT and the subcommands redsim has an equivalent for: ID, SETNAME, GETNAME, LIST, INFO, NO-EVICT, GETREDIR,
 * UNBLOCK, HELP. (KILL, PAUSE/UNPAUSE, REPLY, TRACKING, CACHING need transport or tracking machinery redsim does not
 * have; they answer as unknown subcommands rather than pretending.)
 */
import type { Client } from '../engine/client.ts'
import { OK, type Reply, ReplyError, SimpleString, VerbatimReply } from '../protocol/reply.ts'
import { isOption, parseInt64 } from './args.ts'
import { clientInfoLine, noEvictClients } from './client-list.ts'
import { type CommandContext, command } from './types.ts'

/** Redis's validateClientName: every byte printable ASCII other than space ('!' to '~'). */
export function clientNameError(name: Buffer): ReplyError | null {
  for (const c of name) {
    if (c < 0x21 || c > 0x7e)
      return new ReplyError('ERR Client names cannot contain spaces, newlines or special characters.')
  }
  return null
}

/** Sets (or with an empty name, clears) the connection name; the caller has validated it. */
export function setClientName(client: Client, name: Buffer): void {
  client.clientName = name.toString('latin1')
}

function clientId(ctx: CommandContext): Reply {
  return ctx.client.id
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's BLPOP & co. as a timeout or with an UNBLOCKED error. */
function clientUnblock(ctx: CommandContext): Reply {
  const argv = ctx.argv
  if (argv.length > 4) {
    const name = argv[1].toString('latin1')
    return new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${name}'. Try CLIENT HELP.`)
  }
  let error: ReplyError | undefined
  if (argv.length === 4) {
    if (isOption(argv[3], 'ERROR')) error = new ReplyError('UNBLOCKED client unblocked via CLIENT UNBLOCK')
    else if (!isOption(argv[3], 'TIMEOUT'))
      return new ReplyError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR')
  }
  const id = parseInt64(argv[2])
  if (id === null) return new ReplyError('ERR value is not an integer or out of range')
  const target = ctx.engine.clients.get(Number(id))
  return target !== undefined && ctx.engine.blocking.unblock(target, error) ? 1 : 0
}

function clientSetName(ctx: CommandContext): Reply {
  const error = clientNameError(ctx.argv[2])
  if (error) return error
  setClientName(ctx.client, ctx.argv[2])
  return OK
}

function clientGetName(ctx: CommandContext): Reply {
  return ctx.client.clientName === '' ? null : Buffer.from(ctx.client.clientName, 'latin1')
}

function clientInfo(ctx: CommandContext): Reply {
  return new VerbatimReply('txt', clientInfoLine(ctx.client, ctx.engine.clock.now(), ctx))
}

/** Client types CLIENT LIST TYPE accepts; redsim has only normal clients (no replicas, no master link). */
const CLIENT_TYPES = new Set(['normal', 'slave', 'replica', 'master', 'pubsub'])

function clientList(ctx: CommandContext): Reply {
  const { argv, engine } = ctx
  const now = engine.clock.now()
  let clients: Iterable<Client> = engine.clients.values()
  if (argv.length === 4 && isOption(argv[2], 'TYPE')) {
    const type = argv[3].toString('latin1').toLowerCase()
    if (!CLIENT_TYPES.has(type)) return new ReplyError(`ERR Unknown client type '${argv[3].toString('latin1')}'`)
    if (type !== 'normal') clients = []
  } else if (argv.length > 3 && isOption(argv[2], 'ID')) {
    // Every ID is validated before any is looked up; unknown IDs are skipped, repeated ones listed again.
    const ids: number[] = []
    for (let i = 3; i < argv.length; i++) {
      const id = parseInt64(argv[i])
      if (id === null) return new ReplyError('ERR Invalid client ID')
      ids.push(Number(id))
    }
    const found: Client[] = []
    for (const id of ids) {
      const client = engine.clients.get(id)
      if (client) found.push(client)
    }
    clients = found
  } else if (argv.length !== 2) {
    return new ReplyError('ERR syntax error')
  }
  let text = ''
  for (const client of clients) text += clientInfoLine(client, now, ctx)
  return new VerbatimReply('txt', text)
}

function clientNoEvict(ctx: CommandContext): Reply {
  if (isOption(ctx.argv[2], 'ON')) noEvictClients.add(ctx.client)
  else if (isOption(ctx.argv[2], 'OFF')) noEvictClients.delete(ctx.client)
  else return new ReplyError('ERR syntax error')
  return OK
}

/** Tracking is never on in redsim, so there is no redirection: -1, as Redis answers without tracking. */
function clientGetRedir(): Reply {
  return -1
}

/** Redis 7.0's CLIENT HELP text, verbatim. */
const CLIENT_HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Prints this help.',
].map((line) => new SimpleString(line))

function clientHelp(): Reply {
  return CLIENT_HELP
}

function container(): Reply {
  // Never runs: the table resolves a subcommand or answers with the container's arity / unknown-subcommand error.
  return new ReplyError('ERR unknown subcommand. Try CLIENT HELP.')
}

const CONN = ['slow', 'connection']
const ADMIN_CONN = ['admin', 'slow', 'dangerous', 'connection']
const NOSCRIPT = ['noscript', 'loading', 'stale'] as const

export const clientCommand = command('client', -2, [], null, ['slow'], container, {
  subcommands: [
    command('id', 2, NOSCRIPT, null, CONN, clientId),
    command('setname', 3, NOSCRIPT, null, CONN, clientSetName),
    command('getname', 2, NOSCRIPT, null, CONN, clientGetName),
    command('info', 2, NOSCRIPT, null, CONN, clientInfo),
    command('list', -2, ['admin', ...NOSCRIPT], null, ADMIN_CONN, clientList),
    command('no-evict', 3, ['admin', ...NOSCRIPT], null, ADMIN_CONN, clientNoEvict),
    command('getredir', 2, NOSCRIPT, null, CONN, clientGetRedir),
    command('unblock', -3, ['admin', ...NOSCRIPT], null, ADMIN_CONN, clientUnblock),
    command('help', 2, ['loading', 'stale'], null, CONN, clientHelp),
  ],
})
