/** Connection commands: PING, ECHO, SELECT, SWAPDB, QUIT, RESET, HELLO, AUTH, and CLIENT (in client.ts). */
import type { Client } from '../engine/client.ts'
import type { Engine } from '../engine/engine.ts'
import { unwatchAll } from '../keyspace/watch.ts'
import { subscribedPing } from '../engine/pubsub.ts'
import { Errors, MapReply, OK, PONG, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { isOption, parseInt64 } from './args.ts'
import { clientCommand, clientNameError, setClientName } from './client.ts'
import { noEvictClients } from './client-list.ts'
import { type CommandContext, command } from './types.ts'
import { REDIS_VERSION } from './version.ts'

const INT_MIN = -2147483648n
const INT_MAX = 2147483647n

/** Redis's getIntFromObjectOrReply: a strict int64 that also fits a C int, else the error Redis gives for it. */
function parseCInt(buf: Buffer, message?: string): number | ReplyError {
  const v = parseInt64(buf)
  if (v === null) return message ? new ReplyError(message) : Errors.notInteger()
  if (v < INT_MIN || v > INT_MAX) {
    return new ReplyError(message ?? 'ERR value is out of range, value must between -2147483648 and 2147483647')
  }
  return Number(v)
}

function ping(ctx: CommandContext): Reply {
  if (ctx.argv.length > 2) return Errors.arity('ping')
  // RESP2 subscribed mode answers ["pong", message]: a subscriber's replies must all be arrays.
  const subscribed = subscribedPing(ctx.engine.pubsub, ctx.client, ctx.argv[1] ?? null)
  if (subscribed) return subscribed
  return ctx.argv.length === 2 ? ctx.argv[1] : PONG
}

function echo(ctx: CommandContext): Reply {
  return ctx.argv[1]
}

function select(ctx: CommandContext): Reply {
  const index = parseCInt(ctx.argv[1])
  if (index instanceof ReplyError) return index
  if (index < 0 || index >= ctx.engine.keyspace.dbs.length) return Errors.dbIndex()
  ctx.select(index)
  return OK
}

function swapdb(ctx: CommandContext): Reply {
  const a = parseCInt(ctx.argv[1], 'ERR invalid first DB index')
  if (a instanceof ReplyError) return a
  const b = parseCInt(ctx.argv[2], 'ERR invalid second DB index')
  if (b instanceof ReplyError) return b
  const count = ctx.engine.keyspace.dbs.length
  if (a < 0 || a >= count || b < 0 || b >= count) return Errors.dbIndex()
  // Swapping a database with itself changes nothing, and (as in Redis) touches no WATCHed key.
  if (a !== b) ctx.engine.keyspace.swap(a, b)
  return OK
}

function quit(ctx: CommandContext): Reply {
  ctx.client.closeAfterReply = true
  return OK
}

/** Whether a fresh (or RESET) connection starts authenticated: only when the default user needs no password. */
function noPasswordRequired(engine: Engine): boolean {
  return engine.config.get('requirepass') === ''
}

/**
 * Authenticates `client` as `user` (only the `default` user exists in redsim). With no requirepass the default
 * user has no password and any password is accepted, as Redis's `nopass` user does. A failure leaves the client's
 * current authentication as it was.
 */
function authenticate(engine: Engine, client: Client, user: Buffer, password: Buffer): boolean {
  if (user.toString('latin1') !== 'default') return false
  const required = engine.config.get('requirepass')
  if (required !== '' && !Buffer.from(required, 'latin1').equals(password)) return false
  client.authenticated = true
  return true
}

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.'
const DEFAULT_USER = Buffer.from('default')

function auth(ctx: CommandContext): Reply {
  const { argv, engine, client } = ctx
  if (argv.length > 3) return Errors.syntax()
  if (argv.length === 2 && noPasswordRequired(engine)) {
    return new ReplyError(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    )
  }
  const [user, password] = argv.length === 2 ? [DEFAULT_USER, argv[1]] : [argv[1], argv[2]]
  return authenticate(engine, client, user, password) ? OK : new ReplyError(WRONGPASS)
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]], in Redis 7.0's order of checks. */
function hello(ctx: CommandContext): Reply {
  const { argv, engine, client } = ctx
  let protocol: 2 | 3 | null = null
  if (argv.length >= 2) {
    const version = parseInt64(argv[1])
    if (version === null) return new ReplyError('ERR Protocol version is not an integer or out of range')
    if (version !== 2n && version !== 3n) return new ReplyError('NOPROTO unsupported protocol version')
    protocol = version === 2n ? 2 : 3
  }
  let credentials: [Buffer, Buffer] | null = null
  let name: Buffer | null = null
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - 1 - i
    if (isOption(argv[i], 'AUTH') && remaining >= 2) {
      credentials = [argv[i + 1], argv[i + 2]]
      i += 2
    } else if (isOption(argv[i], 'SETNAME') && remaining >= 1) {
      name = argv[i + 1]
      const error = clientNameError(name)
      if (error) return error
      i += 1
    } else {
      return new ReplyError(`ERR Syntax error in HELLO option '${cString(argv[i])}'`)
    }
  }
  if (credentials && !authenticate(engine, client, credentials[0], credentials[1])) return new ReplyError(WRONGPASS)
  if (!client.authenticated) {
    return new ReplyError(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    )
  }
  if (name) setClientName(client, name)
  // The reply below is encoded with the new protocol: HELLO 3 answers with a RESP3 map.
  if (protocol !== null) client.protocol = protocol
  return new MapReply([
    ['server', 'redis'],
    ['version', REDIS_VERSION],
    ['proto', client.protocol],
    ['id', client.id],
    ['mode', 'standalone'],
    ['role', 'master'],
    ['modules', []],
  ])
}

/** An argument as C's `%s` prints it: up to the first NUL byte. */
function cString(buf: Buffer): string {
  const end = buf.indexOf(0)
  return buf.toString('latin1', 0, end === -1 ? buf.length : end)
}

const RESET = new SimpleString('RESET')

/**
 * RESET: back to a fresh connection's state (Redis 7.0 clearClientConnectionState): MULTI discarded, keys
 * unwatched, database 0, RESP2, no name, no NO-EVICT, and authenticated only if no password is required.
 */
function reset(ctx: CommandContext): Reply {
  const { client, engine } = ctx
  client.multi = null
  unwatchAll(engine.keyspace, client)
  engine.pubsub.removeClient(client)
  ctx.select(0)
  client.protocol = 2
  client.clientName = ''
  client.replyOff = false
  client.replySkipNext = false
  noEvictClients.delete(client)
  client.authenticated = noPasswordRequired(engine)
  return RESET
}

const CONNECTION = ['fast', 'connection']
/** Commands a client may send before authenticating, while a script is busy, and not from scripts. */
const CONNECTION_CONTROL = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'] as const

export const connectionCommands = [
  command('ping', -1, ['fast'], null, CONNECTION, ping),
  command('echo', 2, ['loading', 'stale', 'fast'], null, CONNECTION, echo),
  command('select', 2, ['loading', 'stale', 'fast'], null, CONNECTION, select),
  command('swapdb', 3, ['write', 'fast'], null, ['keyspace', 'write', 'fast', 'dangerous'], swapdb),
  command('quit', -1, CONNECTION_CONTROL, null, CONNECTION, quit),
  command('reset', 1, CONNECTION_CONTROL, null, CONNECTION, reset),
  command('hello', -1, CONNECTION_CONTROL, null, CONNECTION, hello),
  command('auth', -2, CONNECTION_CONTROL, null, CONNECTION, auth),
  clientCommand,
]
