/**
 * CLIENT and the subcommands redsim has an equivalent for: ID, SETNAME, GETNAME, LIST, INFO, KILL, PAUSE, UNPAUSE,
 * NO-EVICT, GETREDIR, UNBLOCK, HELP. (REPLY, TRACKING, CACHING need machinery redsim does not have; they answer as
 * unknown subcommands rather than pretending.)
 */
import type { Client } from '../engine/client.ts'
import { type ClientType, clientType, killClient } from '../engine/client-eviction.ts'
import type { PauseType } from '../engine/client-pause.ts'
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
  return new VerbatimReply('txt', clientInfoLine(ctx.client, ctx.engine.clock.now(), ctx, ctx.engine))
}

/**
 * Redis's getClientTypeByName: the client types CLIENT LIST TYPE and CLIENT KILL TYPE accept. redsim has no replicas
 * and no master link, so those types match no client.
 */
function clientTypeByName(name: Buffer): ClientType | 'slave' | 'master' | null {
  const type = name.toString('latin1').toLowerCase()
  if (type === 'normal' || type === 'pubsub' || type === 'master' || type === 'slave') return type
  return type === 'replica' ? 'slave' : null
}

function clientList(ctx: CommandContext): Reply {
  const { argv, engine } = ctx
  const now = engine.clock.now()
  let clients: Iterable<Client> = engine.clients.values()
  if (argv.length === 4 && isOption(argv[2], 'TYPE')) {
    const type = clientTypeByName(argv[3])
    if (type === null) return new ReplyError(`ERR Unknown client type '${argv[3].toString('latin1')}'`)
    clients = [...engine.clients.values()].filter((c) => clientType(engine, c) === type)
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
  for (const client of clients) text += clientInfoLine(client, now, ctx, engine)
  return new VerbatimReply('txt', text)
}

/** What CLIENT KILL's filters select; unset filters match every client. */
interface KillFilter {
  addr: string | null
  laddr: string | null
  type: ClientType | 'slave' | 'master' | null
  id: number
  skipMe: boolean
}

/**
 * CLIENT KILL addr:port (the old form: `+OK` or "No such client", and it may kill the caller) and CLIENT KILL with
 * ID, ADDR, LADDR, TYPE, USER and SKIPME filters, combined (the number killed). Every filter is parsed before any
 * client is touched; the caller, when selected, is closed after this reply, as Redis flags it CLOSE_AFTER_REPLY.
 */
function clientKill(ctx: CommandContext): Reply {
  const { argv, engine } = ctx
  const filter: KillFilter = { addr: null, laddr: null, type: null, id: 0, skipMe: true }
  const oldForm = argv.length === 3
  if (oldForm) {
    filter.addr = argv[2].toString('latin1')
    filter.skipMe = false
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const more = i + 1 < argv.length
      const option = argv[i]
      if (more && isOption(option, 'ID')) {
        const id = parseInt64(argv[i + 1])
        if (id === null || id < 1n) return new ReplyError('ERR client-id should be greater than 0')
        filter.id = Number(id)
      } else if (more && isOption(option, 'TYPE')) {
        const type = clientTypeByName(argv[i + 1])
        if (type === null) return new ReplyError(`ERR Unknown client type '${argv[i + 1].toString('latin1')}'`)
        filter.type = type
      } else if (more && isOption(option, 'ADDR')) {
        filter.addr = argv[i + 1].toString('latin1')
      } else if (more && isOption(option, 'LADDR')) {
        filter.laddr = argv[i + 1].toString('latin1')
      } else if (more && isOption(option, 'USER')) {
        // redsim has one user, `default`, which every client is (authenticated or not, as Redis's c->user).
        const user = argv[i + 1].toString('latin1')
        if (user !== 'default') return new ReplyError(`ERR No such user '${user}'`)
      } else if (more && isOption(option, 'SKIPME')) {
        if (isOption(argv[i + 1], 'YES')) filter.skipMe = true
        else if (isOption(argv[i + 1], 'NO')) filter.skipMe = false
        else return new ReplyError('ERR syntax error')
      } else {
        return new ReplyError('ERR syntax error')
      }
    }
  }
  let killed = 0
  for (const client of [...engine.clients.values()]) {
    if (filter.addr !== null && client.addr !== filter.addr) continue
    if (filter.laddr !== null && client.laddr !== filter.laddr) continue
    if (filter.type !== null && clientType(engine, client) !== filter.type) continue
    if (filter.id !== 0 && client.id !== filter.id) continue
    if (client === ctx.client && filter.skipMe) continue
    if (client === ctx.client) ctx.client.closeAfterReply = true
    else killClient(engine, client)
    killed++
  }
  if (oldForm) return killed === 0 ? new ReplyError('ERR No such client') : OK
  return killed
}

/**
 * CLIENT PAUSE timeout [WRITE|ALL]: the timeout in milliseconds as Redis's getTimeoutFromObjectOrReply reads it (an
 * integer; 0 ends the pause at the next timer run, as Redis ends it at the next event-loop turn).
 */
function clientPause(ctx: CommandContext): Reply {
  const { argv, engine } = ctx
  if (argv.length > 4) {
    return new ReplyError("ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.")
  }
  let type: PauseType = 'all'
  if (argv.length === 4) {
    if (isOption(argv[3], 'WRITE')) type = 'write'
    else if (!isOption(argv[3], 'ALL')) return new ReplyError('ERR CLIENT PAUSE mode must be WRITE or ALL')
  }
  const timeout = parseInt64(argv[2])
  if (timeout === null) return new ReplyError('ERR timeout is not an integer or out of range')
  if (timeout < 0n) return new ReplyError('ERR timeout is negative')
  let end = 0
  if (timeout > 0n) {
    const now = engine.clock.now()
    if (timeout > 9223372036854775807n - BigInt(now)) return new ReplyError('ERR timeout is out of range')
    end = now + Number(timeout)
  }
  engine.clientPause.pause(end, type)
  return OK
}

function clientUnpause(ctx: CommandContext): Reply {
  ctx.engine.clientPause.unpause()
  return OK
}

function clientNoEvict(ctx: CommandContext): Reply {
  if (isOption(ctx.argv[2], 'ON')) noEvictClients.add(ctx.client)
  else if (isOption(ctx.argv[2], 'OFF')) noEvictClients.delete(ctx.client)
  else return new ReplyError('ERR syntax error')
  return OK
}

/**
 * CLIENT REPLY ON|OFF|SKIP. OFF and SKIP answer nothing: OFF silences its own reply, and SKIP silences its own and the
 * next command's (the connection drops a silenced reply and then calls `commandProcessed`). SKIP under OFF changes
 * nothing, as in Redis.
 */
function clientReply(ctx: CommandContext): Reply {
  const { client } = ctx
  if (isOption(ctx.argv[2], 'ON')) {
    client.replyOff = false
    client.replySkip = false
  } else if (isOption(ctx.argv[2], 'OFF')) client.replyOff = true
  else if (isOption(ctx.argv[2], 'SKIP')) {
    if (!client.replyOff) {
      client.replySkip = true
      client.replySkipNext = true
    }
  } else return new ReplyError('ERR syntax error')
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
    command('kill', -3, ['admin', ...NOSCRIPT], null, ADMIN_CONN, clientKill),
    command('pause', -3, ['admin', ...NOSCRIPT], null, ADMIN_CONN, clientPause),
    command('unpause', 2, ['admin', ...NOSCRIPT], null, ADMIN_CONN, clientUnpause),
    command('reply', 3, NOSCRIPT, null, CONN, clientReply),
    command('no-evict', 3, ['admin', ...NOSCRIPT], null, ADMIN_CONN, clientNoEvict),
    command('getredir', 2, NOSCRIPT, null, CONN, clientGetRedir),
    command('unblock', -3, ['admin', ...NOSCRIPT], null, ADMIN_CONN, clientUnblock),
    command('help', 2, ['loading', 'stale'], null, CONN, clientHelp),
  ],
})
